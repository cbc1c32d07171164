"""Request hooks, error handlers and template helpers from app.py; create_app registers them."""

from flask import g

from .shared.helpers import CALLS


def first():
    CALLS.append("first")
    g.order = ["first"]


def second():
    CALLS.append("second")
    g.order.append("second")


def stamp(response):
    response.headers["X-Order"] = ",".join(g.order)
    return response


def cleanup(exc):
    CALLS.append("teardown")


def inject_site():
    return {"site": "demo"}


def shout(text):
    return text.upper() + "!"
