"""The core domain."""
