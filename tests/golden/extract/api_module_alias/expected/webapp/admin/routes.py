"""The admin domain's routes, moved from store/server.py: a Blueprint; handlers are verbatim."""

from flask import Blueprint

from .services import _authorised, label

bp = Blueprint("admin", __name__)


@bp.route("/admin/check/<key>")
def admin_check(key):
    return {"ok": _authorised(key), "label": label(key)}
