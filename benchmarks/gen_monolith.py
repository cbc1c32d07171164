"""Generate a Flask monolith of about N lines (default 50,000) for the analyze speed benchmark.

    python benchmarks/gen_monolith.py [--lines 50000] [--out benchmarks/out/monolith]

Writes ``<out>/monolith50k/app.py`` (models, helpers and routes in one module, as legacy code
grows) plus ``__init__.py``. The code is deterministic and uses the shapes analyze looks at:
Flask-SQLAlchemy models with relationships, list endpoints with N+1 loops, writes, helpers
calling each other, external HTTP without timeouts, broad excepts and print logging.
"""

from __future__ import annotations

import argparse
from pathlib import Path

HEADER = '''"""A generated Flask monolith ({lines} lines) for decompose's analyze benchmark."""
import os

import requests
from flask import Flask, abort, jsonify, request
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DATABASE_URL", "sqlite://")
db = SQLAlchemy(app)
POOL_SIZE = 20


def json_error(message, status=400):
    return jsonify(error=message), status


def current_user_id():
    return int(request.headers.get("X-User", "0") or 0)
'''

BLOCK = '''

# ---- feature {i}: {name} -------------------------------------------------------------------


class {Model}(db.Model):
    __tablename__ = "{table}"

    id = db.Column(db.Integer, primary_key=True)
    owner_id = db.Column(db.Integer, nullable=False)
    title = db.Column(db.String(200), nullable=False)
    status = db.Column(db.String(20), default="new")
    score = db.Column(db.Integer, default=0)
    parent_id = db.Column(db.Integer, db.ForeignKey("{parent_table}.id"))
    parent = db.relationship("{Parent}", backref="{table}_children")

    def to_dict(self):
        return {{
            "id": self.id,
            "owner_id": self.owner_id,
            "title": self.title,
            "status": self.status,
            "score": self.score,
        }}


def {name}_serialize(item):
    data = item.to_dict()
    data["children"] = len(item.{table}_children)
    return data


def {name}_external_score(item):
    try:
        resp = requests.get("http://127.0.0.1:9/score", params={{"id": item.id}})
        return resp.json().get("score", 0)
    except Exception:
        return 0


def {name}_touch(item, status):
    item.status = status
    item.score = (item.score or 0) + 1
    print("[{name}] touched", item.id)
    return item


@app.route("/api/{name}", methods=["GET"])
def {name}_list():
    page = request.args.get("page", 1, type=int)
    items = {Model}.query.filter_by(owner_id=current_user_id()).order_by({Model}.score).all()
    out = []
    for item in items[(page - 1) * 20 : page * 20]:
        data = {name}_serialize(item)
        data["parent"] = item.parent.title if item.parent else None
        data["siblings"] = {Model}.query.filter_by(parent_id=item.parent_id).count()
        out.append(data)
    return jsonify(out)


@app.route("/api/{name}/<int:item_id>")
def {name}_detail(item_id):
    item = {Model}.query.get(item_id)
    if item is None:
        abort(404)
    data = {name}_serialize(item)
    data["external"] = {name}_external_score(item)
    return jsonify(data)


@app.route("/api/{name}", methods=["POST"])
def {name}_create():
    payload = request.get_json() or {{}}
    if not payload.get("title"):
        return json_error("title is required")
    item = {Model}(owner_id=current_user_id(), title=payload["title"], parent_id=payload.get("parent_id"))
    db.session.add(item)
    db.session.commit()
    return jsonify(item.to_dict()), 201


@app.route("/api/{name}/<int:item_id>", methods=["PUT", "PATCH"])
def {name}_update(item_id):
    item = {Model}.query.get_or_404(item_id)
    payload = request.get_json() or {{}}
    {name}_touch(item, payload.get("status", item.status))
    if "title" in payload:
        item.title = payload["title"]
    db.session.commit()
    return jsonify(item.to_dict())


@app.route("/api/{name}/<int:item_id>", methods=["DELETE"])
def {name}_delete(item_id):
    {Model}.query.filter_by(id=item_id).delete()
    db.session.commit()
    return "", 204


@app.route("/api/{name}/stats")
def {name}_stats():
    totals = {{}}
    for status in ("new", "open", "done"):
        totals[status] = {Model}.query.filter_by(status=status).count()
    return jsonify(totals)
'''


def generate(lines: int) -> str:
    parts = [HEADER.format(lines=lines)]
    total = parts[0].count("\n")
    i = 0
    while total < lines:
        name = f"feature{i:04d}"
        model = f"Feature{i:04d}"
        parent = f"Feature{max(i - 1, 0):04d}"
        block = BLOCK.format(
            i=i, name=name, Model=model, table=f"feature_{i:04d}",
            Parent=parent, parent_table=f"feature_{max(i - 1, 0):04d}",
        )
        parts.append(block)
        total += block.count("\n")
        i += 1
    return "".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--out", default="benchmarks/out/monolith")
    args = parser.parse_args()
    package = Path(args.out) / f"monolith{args.lines // 1000}k"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    text = generate(args.lines)
    (package / "app.py").write_text(text)
    print(f"wrote {package / 'app.py'}: {text.count(chr(10))} lines")


if __name__ == "__main__":
    main()
