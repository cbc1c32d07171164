"""The pages domain's routes, moved from app.py: a Blueprint; handlers are verbatim."""

from flask import Blueprint, g, jsonify, render_template_string

bp = Blueprint("pages", __name__)


@bp.route("/page")
def page():
    return render_template_string("{{ site }} {{ 'hi' | shout }}")


@bp.route("/order")
def order():
    return jsonify(g.order)
