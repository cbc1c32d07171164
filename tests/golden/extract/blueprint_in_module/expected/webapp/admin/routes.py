"""The admin domain's routes, moved from app.py: a Blueprint; handlers are verbatim."""

from flask import Blueprint, jsonify, url_for

admin = Blueprint("admin", __name__, url_prefix="/admin")


@admin.route("/")
def dashboard():
    return jsonify({"users": url_for("admin.users"), "home": url_for("site.home")})


@admin.route("/users")
def users():
    return jsonify(["ann", "bob"])
