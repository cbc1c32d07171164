"""Shared kernel: helpers, classes and state from app.py used by several domains or by the app."""


CALLS = []
