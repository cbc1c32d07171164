"""The shop domain's routes, moved from app.py: a Blueprint; handlers are verbatim."""

from flask import Blueprint, current_app, jsonify, redirect, url_for

from ..shared.helpers import current_user

bp = Blueprint("shop", __name__)


@bp.route("/catalog")
def catalog():
    current_app.logger.info("catalog viewed")
    return jsonify({"shop": current_app.config["SHOP_NAME"], "cart": url_for("shop.cart")})


@bp.route("/cart")
def cart():
    return jsonify({"user": current_user(), "back": url_for("shop.catalog", _external=False)})


@bp.route("/checkout", methods=["POST"])
def checkout():
    return redirect(url_for("shop.cart"))
