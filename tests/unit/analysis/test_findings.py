"""Each finding kind on small inline apps: what it must report, and what it must leave alone."""

from __future__ import annotations

from collections.abc import Callable

from decompose.analysis.findings import load_kinds
from decompose.model import AnalysisResult, Severity

Run = Callable[..., AnalysisResult]

MODELS = """
from flask_sqlalchemy import SQLAlchemy
db = SQLAlchemy()

class Author(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String, index=True)
    country = db.Column(db.String)
    books = db.relationship("Book", backref="author")
    fans = db.relationship("Fan", lazy="selectin")
    notes = db.relationship("Note", lazy="dynamic")

class Book(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    author_id = db.Column(db.Integer, db.ForeignKey("author.id"), index=True)
    title = db.Column(db.String)
    year = db.Column(db.Integer)

class Fan(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    author_id = db.Column(db.Integer, db.ForeignKey("author.id"))

class Note(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    author_id = db.Column(db.Integer, db.ForeignKey("author.id"))
"""

HEAD = "from flask import Flask, jsonify, request\nfrom models import db, Author, Book, Fan, Note\napp = Flask(__name__)\n"


def kinds(result: AnalysisResult, prefix: str) -> list[tuple[str, int]]:
    return [(f.kind, f.location.line) for f in result.findings if f.kind.startswith(prefix)]


def app(body: str) -> dict[str, str]:
    return {"app.py": HEAD + body, "models.py": MODELS}


def test_every_kind_is_registered() -> None:
    assert set(load_kinds()) >= {
        "n_plus_one.query_in_loop",
        "n_plus_one.lazy_load_in_loop",
        "n_plus_one.count_in_loop",
        "sync_external_call",
        "cacheable_endpoint",
        "missing_index",
        "pool_settings",
        "import_time_io",
        "print_logging",
        "broad_except",
        "process_state",
        "domain.unassigned_route",
        "domain.ownership_conflict",
    }


def test_query_in_loop_over_query_results(run: Run) -> None:
    r = run(app('''
@app.route("/a")
def a():
    out = []
    for author in Author.query.all():
        out.append(Book.query.filter_by(author_id=author.id).first())
    return jsonify(len(out))
'''))
    [f] = [f for f in r.findings if f.kind == "n_plus_one.query_in_loop"]
    assert f.severity == Severity.HIGH and f.location.line == 9 and f.endpoint == "a"
    assert "for author in Author.query.all()" in f.evidence


def test_query_in_loop_through_a_helper_and_nested(run: Run) -> None:
    r = run(app('''
def books_of(author):
    return Book.query.filter_by(author_id=author.id).all()

@app.route("/a")
def a():
    rows = Author.query.all()
    for author in rows:
        for book in author.books:
            books_of(author)
    return ""
'''))
    via = [f for f in r.findings if f.kind == "n_plus_one.query_in_loop" and "books_of" in f.message]
    assert via and via[0].severity == Severity.CRITICAL
    assert via[0].chain[-1].endswith("books_of")


def test_query_in_plain_loop_is_medium(run: Run) -> None:
    r = run(app('''
@app.route("/a")
def a():
    for i in range(30):
        Book.query.filter_by(year=i).all()
    return ""
'''))
    [f] = [f for f in r.findings if f.kind == "n_plus_one.query_in_loop"]
    assert f.severity == Severity.MEDIUM


def test_lazy_relationship_in_loop_and_eager_loading(run: Run) -> None:
    from_lazy = run(app('''
@app.route("/a")
def a():
    return jsonify([[b.title for b in x.books] for x in Author.query.all()])
'''))
    assert kinds(from_lazy, "n_plus_one.lazy_load_in_loop") == [("n_plus_one.lazy_load_in_loop", 7)]
    eager = run(app('''
from sqlalchemy.orm import selectinload

@app.route("/a")
def a():
    rows = Author.query.options(selectinload(Author.books)).all()
    return jsonify([len(x.books) + len(x.fans) for x in rows])
'''))
    assert kinds(eager, "n_plus_one") == []


def test_lazy_read_through_backref_chain_and_model_method(run: Run) -> None:
    r = run({
        "app.py": HEAD + '''
@app.route("/b")
def b():
    return jsonify([book.author.name for book in Book.query.all()])
''',
        "models.py": MODELS,
    })
    assert kinds(r, "n_plus_one.lazy_load_in_loop") == [("n_plus_one.lazy_load_in_loop", 7)]


def test_count_in_loop_including_dynamic_relationship(run: Run) -> None:
    r = run(app('''
@app.route("/a")
def a():
    return jsonify({x.id: x.notes.count() for x in Author.query.all()})
'''))
    assert kinds(r, "n_plus_one.count_in_loop") == [("n_plus_one.count_in_loop", 7)]


def test_no_n_plus_one_without_loop(run: Run) -> None:
    r = run(app('''
@app.route("/a/<int:i>")
def a(i):
    author = Author.query.get_or_404(i)
    return jsonify(books=len(author.books), n=Book.query.filter_by(author_id=i).count())
'''))
    assert kinds(r, "n_plus_one") == []


def test_sync_external_call_with_chain_and_timeout(run: Run) -> None:
    r = run({
        "app.py": HEAD + '''
import requests
from client import Client

client = Client("http://127.0.0.1:1")

@app.route("/weather")
def weather():
    return jsonify(client.fetch())

@app.route("/safe")
def safe():
    return requests.get("http://127.0.0.1:1", timeout=3).text
''',
        "models.py": MODELS,
        "client.py": '''
import requests

class Client:
    def __init__(self, base):
        self.base = base

    def fetch(self):
        return self._get("/w")

    def _get(self, path):
        return requests.get(self.base + path).json()
''',
    })
    found = {f.endpoint: f for f in r.findings if f.kind == "sync_external_call"}
    assert found["weather"].severity == Severity.HIGH
    assert found["weather"].chain == ("app.weather", "client.Client.fetch", "client.Client._get", "requests.get")
    assert dict(found["weather"].details)["timeout"] == "no"
    assert found["weather"].location.file == "client.py"
    assert found["safe"].severity == Severity.MEDIUM and dict(found["safe"].details)["timeout"] == "yes"


def test_cacheable_only_for_read_only_get(run: Run) -> None:
    r = run(app('''
@app.route("/list")
def listing():
    return jsonify([a.name for a in Author.query.order_by(Author.name).all()])

@app.route("/touch")
def touch():
    a = Author.query.first()
    a.name = "x"
    db.session.commit()
    return ""

@app.route("/form", methods=["GET", "POST"])
def form():
    return jsonify(Author.query.count())
'''))
    assert [f.endpoint for f in r.findings if f.kind == "cacheable_endpoint"] == ["listing"]


def test_missing_index_from_filters_not_from_indexed_columns(run: Run) -> None:
    r = run(app('''
@app.route("/a")
def a():
    Author.query.filter_by(name="x").all()
    Author.query.filter(Author.country == "de").order_by(Author.id).all()
    Book.query.filter(Book.author_id == 1, Book.year > 2000).all()
    Book.query.filter(Book.title.ilike("%x%")).all()
    return ""
'''))
    found = {dict(f.details)["column"]: f for f in r.findings if f.kind == "missing_index"}
    assert set(found) == {"country", "year", "title"}
    assert found["country"].location.file == "models.py" and found["country"].location.line == 7
    assert found["title"].severity == Severity.LOW  # a LIKE '%x%' is not helped by a B-tree


def test_pool_settings_defined_but_unused(run: Run) -> None:
    r = run({
        "app.py": HEAD + 'from config import Config\napp.config.from_object(Config)\n\n@app.route("/")\ndef i():\n    return ""\n',
        "models.py": MODELS,
        "config.py": "class Config:\n    DB_POOL_SIZE = 20\n    SQLALCHEMY_DATABASE_URI = 'postgresql://x'\n",
    })
    messages = [f.message for f in r.findings if f.kind == "pool_settings"]
    assert any("DB_POOL_SIZE is defined but nothing reads it" in m for m in messages)


def test_pool_settings_applied(run: Run) -> None:
    r = run({
        "app.py": HEAD + 'app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": 10, "pool_pre_ping": True}\n'
        '\n@app.route("/")\ndef i():\n    return ""\n',
        "models.py": MODELS,
    })
    [f] = [f for f in r.findings if f.kind == "pool_settings"]
    assert f.severity == Severity.INFO and dict(f.details)["per_process"] == "20"


def test_import_time_io(run: Run) -> None:
    r = run(app('''
import os
import requests

def warm():
    return requests.get("http://127.0.0.1:1/warm").text

os.makedirs("/tmp/x", exist_ok=True)
WARM = warm()
with app.app_context():
    db.create_all()

def later():
    os.makedirs("/tmp/y")

@app.route("/")
def i():
    return ""

if __name__ == "__main__":
    warm()
'''))
    found = sorted((f.location.line, f.severity) for f in r.findings if f.kind == "import_time_io")
    assert found == [(11, Severity.MEDIUM), (12, Severity.HIGH), (14, Severity.MEDIUM)]


def test_print_logging_not_in_cli_commands(run: Run) -> None:
    r = run(app('''
@app.route("/")
def i():
    print("debug", request.path)
    return ""

@app.cli.command("seed")
def seed():
    print("seeded")
'''))
    assert [f.location.line for f in r.findings if f.kind == "print_logging"] == [7]


def test_broad_except_swallowing_only(run: Run) -> None:
    r = run(app('''
import logging
log = logging.getLogger(__name__)

@app.route("/")
def i():
    try:
        x = 1
    except Exception:
        pass
    try:
        x = 2
    except:
        return jsonify(error="bad"), 500
    try:
        x = 3
    except Exception:
        log.exception("x failed")
    try:
        x = 4
    except Exception:
        raise
    try:
        x = 5
    except ValueError:
        pass
    return str(x)
'''))
    found = [(f.location.line, f.severity) for f in r.findings if f.kind == "broad_except"]
    assert found == [(12, Severity.MEDIUM), (16, Severity.LOW)]


def test_disable_in_config(run: Run) -> None:
    from decompose.config import AnalyzeConfig, Config

    body = '\n@app.route("/")\ndef i():\n    print("x")\n    return ""\n'
    assert kinds(run(app(body)), "print_logging")
    assert not kinds(run(app(body), config=Config(analyze=AnalyzeConfig(disable=("print_logging",)))), "print_logging")


def test_process_state_changed_by_handlers_or_hooks(run: Run) -> None:
    r = run(app('''
CACHE = {}
HITS = {"n": 0}
LIMITS = {"a": 1}
counter = 0

@app.before_request
def count():
    global counter
    counter += 1

def remember(key, value):
    CACHE[key] = value

@app.route("/")
def i():
    remember("k", 1)
    HITS.update(n=HITS["n"] + 1)
    local = {}
    local["x"] = LIMITS["a"]
    return ""
'''))
    found = sorted(f.message.split(" ")[0] for f in r.findings if f.kind == "process_state")
    assert found == ["CACHE", "HITS", "counter"]
    kinds = {g.name: g.kind for g in r.inventory.globals}
    assert kinds["CACHE"] == "state" and kinds["LIMITS"] == "constant"
