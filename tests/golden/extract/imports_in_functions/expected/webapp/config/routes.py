"""The config domain's routes, moved from app.py: a Blueprint; handlers are verbatim."""

from __future__ import annotations

from flask import Blueprint, jsonify

from .services import parse_toml

bp = Blueprint("config", __name__)


@bp.route("/toml")
def toml():
    try:
        from decimal import Decimal
    except ImportError:  # pragma: no cover
        Decimal = float
    data = parse_toml('x = 1\n')
    return jsonify({"x": data["x"], "d": str(Decimal("1.5"))})
