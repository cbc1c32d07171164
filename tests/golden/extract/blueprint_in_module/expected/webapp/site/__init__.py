"""The site domain."""
