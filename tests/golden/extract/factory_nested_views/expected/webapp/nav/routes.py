"""The nav domain's routes, moved from app.py: a Blueprint; handlers are verbatim."""

from flask import Blueprint, redirect, request, url_for

from .services import PAGES

bp = Blueprint("nav", __name__)


@bp.route("/go/<page>")
def go(page):
    # the endpoint comes from a dict: extract reports it, the user renames it by hand
    return redirect(url_for(PAGES.get(page, "index")))


@bp.route("/back")
def back():
    return redirect(request.args.get("next") or url_for("main.index"))
