"""Request hooks, error handlers and template helpers from app.py; create_app registers them."""

from flask import redirect, request, url_for

from .shared.helpers import PUBLIC_ENDPOINTS, current_user


def require_login():
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint == "static":
        return None
    if request.endpoint not in ("auth.login", "shop.checkout") and current_user() is None:
        return redirect(url_for("auth.login", next=request.path))
    return None
