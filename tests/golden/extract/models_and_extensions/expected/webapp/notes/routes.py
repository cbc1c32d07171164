"""The notes domain's routes, moved from app.py: a Blueprint; handlers are verbatim."""

from flask import Blueprint, jsonify, request

from ..shared.helpers import label
from ..shared.models import Note, db

bp = Blueprint("notes", __name__)


@bp.route("/notes", methods=["POST"])
def add_note():
    note = Note(text=(request.get_json(silent=True) or {}).get("text", ""))
    db.session.add(note)
    db.session.commit()
    return jsonify({"id": note.id, "label": label(note)}), 201
