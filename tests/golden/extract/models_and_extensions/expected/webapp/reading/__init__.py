"""The reading domain."""
