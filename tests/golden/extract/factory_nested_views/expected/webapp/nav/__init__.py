"""The nav domain."""
