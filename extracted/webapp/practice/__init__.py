"""The practice domain."""
