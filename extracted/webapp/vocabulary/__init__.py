"""The vocabulary domain."""
