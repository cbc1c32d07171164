"""The admin domain."""
