"""The shop domain."""
