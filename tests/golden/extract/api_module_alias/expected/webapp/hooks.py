"""Request hooks, error handlers and template helpers from store/server.py; create_app registers them."""

from flask import current_app


def mark():
    current_app.config["SEEN"] = True
