"""The auth domain's routes, moved from app.py: a Blueprint; handlers are verbatim."""

from flask import Blueprint, jsonify, request, url_for

bp = Blueprint("auth", __name__)


@bp.route("/login")
def login():
    return jsonify({"next": request.args.get("next"), "catalog": url_for("shop.catalog")})
