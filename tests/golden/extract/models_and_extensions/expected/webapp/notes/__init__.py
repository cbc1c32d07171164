"""The notes domain."""
