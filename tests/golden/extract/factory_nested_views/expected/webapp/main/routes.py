"""The main domain's routes, moved from app.py: a Blueprint; handlers are verbatim."""

from flask import Blueprint, current_app, jsonify, url_for

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    # moves to its domain: it closes over nothing but the app
    return jsonify({"greeting": current_app.config["GREETING"], "hello": url_for("main.hello")})


@bp.get("/hello", endpoint="hello")
def say_hello():
    return "hello"
