"""The core domain's routes, moved from store/server.py: a Blueprint; handlers are verbatim."""

from flask import Blueprint

bp = Blueprint("core", __name__)


@bp.route("/")
def index():
    return "store"
