"""The images domain."""
