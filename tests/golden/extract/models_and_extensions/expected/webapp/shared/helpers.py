"""Shared kernel: helpers, classes and state from app.py used by several domains or by the app."""

from ..extensions import PREFIX, jwt

SEEN = {"count": 0}


@jwt.token_in_blocklist_loader
def never_revoked(header, payload):
    return False


def label(note):
    SEEN["count"] += 1
    return PREFIX + note.text
