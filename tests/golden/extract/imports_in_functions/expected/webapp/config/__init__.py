"""The config domain."""
