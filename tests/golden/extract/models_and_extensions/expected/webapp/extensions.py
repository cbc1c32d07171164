"""Objects app.py bound to the app at import time, created unbound here; create_app initialises them with the original arguments."""

from flask import current_app
from flask_jwt_extended import JWTManager
from werkzeug.local import LocalProxy

jwt = JWTManager()
# built by create_app() from the app's config: app.py:13
PREFIX = LocalProxy(lambda: current_app.extensions["webapp.PREFIX"])
