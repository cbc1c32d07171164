"""The data domain's routes, moved from app.py: a Blueprint; handlers are verbatim."""

from __future__ import annotations

from flask import Blueprint, jsonify

try:
    import ujson as json_lib
except ImportError:  # pragma: no cover - depends on the machine
    import json as json_lib

bp = Blueprint("data", __name__)


@bp.route("/dump")
def dump() -> tuple:
    import hashlib

    payload = json_lib.dumps({"a": 1})
    return jsonify({"payload": payload, "sha": hashlib.sha256(payload.encode()).hexdigest()[:8]}), 200
