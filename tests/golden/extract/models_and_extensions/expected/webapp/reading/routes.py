"""The reading domain's routes, moved from app.py: a Blueprint; handlers are verbatim."""

from flask import Blueprint, jsonify

from ..shared.helpers import SEEN, label
from ..shared.models import Note, db

bp = Blueprint("reading", __name__)


@bp.route("/notes/<int:note_id>")
def get_note(note_id):
    note = db.session.get(Note, note_id)
    if note is None:
        return jsonify({"error": "no such note"}), 404
    return jsonify({"id": note.id, "label": label(note), "seen": SEEN["count"]})
