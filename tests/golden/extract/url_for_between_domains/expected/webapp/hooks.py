"""Request hooks, error handlers and template helpers from app.py; create_app registers them."""

from flask import redirect, request, url_for

from .shared.helpers import current_user


def require_login():
    if request.endpoint in ("auth.login", "shop.catalog") or request.endpoint == "static":
        return None
    if request.endpoint != "auth.login" and current_user() is None:
        return redirect(url_for("auth.login", next=request.path))
    return None
