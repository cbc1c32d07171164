"""The nav domain's services, moved from app.py: its own helpers, and the functions other domains may call."""


PAGES = {"home": "index", "hi": "hello"}
