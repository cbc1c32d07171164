"""Shared kernel: helpers, classes and state from app.py used by several domains or by the app."""

from flask import Flask, jsonify


def create_app():
    app = Flask(__name__.rsplit(".", 2)[0])
    app.config["GREETING"] = "hello"
    counter = {"hits": 0}

    @app.route("/hits")
    def hits():
        counter["hits"] += 1
        return jsonify(counter)

    def legacy_view():
        return "legacy"

    app.add_url_rule("/legacy", view_func=legacy_view)
    return app
