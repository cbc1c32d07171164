"""The site domain's routes, moved from app.py: a Blueprint; handlers are verbatim."""

from flask import Blueprint, jsonify, url_for

bp = Blueprint("site", __name__)


@bp.route("/")
def home():
    return jsonify({"admin": url_for("admin.dashboard")})
