"""The admin domain's services, moved from store/server.py: its own helpers, and the functions other domains may call."""

from flask import current_app


def admin_key():
    return current_app.config["ADMIN_KEY"]


def label(value):
    return f"<{value}>"


def _authorised(key):
    return key == admin_key()
