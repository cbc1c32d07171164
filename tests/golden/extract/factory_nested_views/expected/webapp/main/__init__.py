"""The main domain."""
