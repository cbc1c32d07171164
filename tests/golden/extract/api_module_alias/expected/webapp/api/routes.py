"""The api domain's routes, moved from store/server.py: a Blueprint; handlers are verbatim."""

from flask import Blueprint, jsonify, request

from ..shared.catalog import BOOKS
from .services import API, v1_label

bp = Blueprint("api", __name__)


@bp.route(API + "/books")
def api_books():
    q = request.args.get("q", "")
    return jsonify([v1_label(b) for b in BOOKS if q in b])


@bp.get(f"{API}/books/<int:n>")
def api_book(n):
    return jsonify({"book": BOOKS[n]})
