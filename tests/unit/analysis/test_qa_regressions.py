"""Regressions from the QA run on unseen monoliths (docs/qa-unseen.md), on inline apps."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from decompose.analysis import analyze
from decompose.analysis.domains import identifier
from decompose.config import Config
from decompose.model import AnalysisResult

Run = Callable[..., AnalysisResult]


def url_map_of(path: Path, attr: str = "app") -> set[tuple[str, str, tuple[str, ...]]]:
    sys.path.insert(0, str(path.parent))
    try:
        module = importlib.import_module(path.stem)
        app = getattr(module, attr)
        return {(r.rule, r.endpoint, tuple(sorted(r.methods or ()))) for r in app.url_map.iter_rules()}
    finally:
        sys.path.remove(str(path.parent))


def routes_of(result: AnalysisResult) -> set[tuple[str, str, tuple[str, ...]]]:
    inv = result.inventory
    return {(r.rule, r.endpoint, r.methods) for r in (*inv.routes, *inv.static_routes)}


def test_decorator_applied_by_call(project: Callable[..., Path], clean_modules: None) -> None:  # QA 3
    app = project({"qa_callform.py": '''
from flask import Flask
app = Flask(__name__)
def metrics():
    return "m"
app.route("/metrics")(metrics)
app.get("/m.json", endpoint="mj")(metrics)
'''})
    assert routes_of(analyze(app, config=Config(), use_cache=False)) == url_map_of(app)


def test_no_invented_endpoints_for_view_factories(run: Run) -> None:  # QA 4
    r = run({"app.py": '''
from flask import Flask
app = Flask(__name__)

def make_view(kind):
    def view():
        return kind
    return view

@app.route("/")
def index():
    return ""

app.add_url_rule("/users", view_func=make_view("users"))
app.add_url_rule("/teams", f"get_{'team'}{len('x') * 0 or ''}", make_view("teams"))
app.add_url_rule("/v", NAMES["v"], lambda: "2")
'''})
    endpoints = {x.endpoint for x in r.inventory.routes}
    assert endpoints == {"index"}
    reasons = " ".join(u.reason for u in r.inventory.unhandled)
    assert "run-time __name__" in reasons and "endpoint computed at run time" in reasons


def test_register_api_with_constant_arguments(project: Callable[..., Path], clean_modules: None) -> None:  # QA 4b
    app = project({"qa_regapi.py": '''
from flask import Flask
from flask.views import MethodView
app = Flask(__name__)

class ItemAPI(MethodView):
    def __init__(self, model):
        self.model = model
    def get(self, id):
        return ""
    def patch(self, id):
        return ""

class GroupAPI(MethodView):
    def __init__(self, model):
        self.model = model
    def get(self):
        return ""
    def post(self):
        return ""

def register_api(app, model, name):
    item = ItemAPI.as_view(f"{name}-item", model)
    group = GroupAPI.as_view(f"{name}-group", model)
    app.add_url_rule(f"/{name}/<int:id>", view_func=item)
    app.add_url_rule(f"/{name}/", view_func=group)

register_api(app, dict, "users")
register_api(app, list, "stories")
'''})
    assert routes_of(analyze(app, config=Config(), use_cache=False)) == url_map_of(app)


def test_optional_blueprint_behind_try_import(project: Callable[..., Path], clean_modules: None) -> None:  # QA 5
    app = project({
        "qa_optional.py": '''
from flask import Flask
app = Flask(__name__)

@app.route("/")
def index():
    return ""

try:
    from qa_plugins import bp
except ImportError:
    bp = None
else:
    app.register_blueprint(bp)
''',
        "qa_plugins.py": '''
from flask import Blueprint
bp = Blueprint("plugins", __name__, url_prefix="/plugins")

@bp.route("/hello")
def hello():
    return "hi"
''',
    })
    assert routes_of(analyze(app, config=Config(), use_cache=False)) == url_map_of(app)


@pytest.mark.parametrize(("name", "expected"), [("2fa", "_2fa"), ("class", "class_"), ("Über", "uber"), ("index.html", "index_html"), ("shared", "shared_"), ("", "core")])
def test_proposed_domain_names_are_identifiers(name: str, expected: str) -> None:  # QA C1
    assert identifier(name) == expected


def test_sqlalchemy_2_style_through_aliases(run: Run) -> None:  # QA 19
    r = run({"app.py": '''
import sqlalchemy as sa
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
app = Flask(__name__)
db = SQLAlchemy(app)

class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String)

@app.route("/u/<name>")
def user(name):
    s = sa.select(User).where(User.name == name)
    return str(db.session.scalar(s).id)

@app.route("/all")
def all_users():
    page = db.paginate(db.select(User).order_by(User.id))
    return str(len(page.items))

@app.route("/first")
def first():
    return str(db.first_or_404(sa.select(User)).id)
'''})
    reads = {x.endpoint: x.reads_models for x in r.inventory.routes}
    assert reads == {"user": ("User",), "all_users": ("User",), "first": ("User",)}
    assert any(f.kind == "missing_index" and dict(f.details)["column"] == "name" for f in r.findings)


def test_blueprint_hook_scope_and_cli_names(run: Run) -> None:  # QA 20, 23
    r = run({"app.py": '''
import click
from flask import Blueprint, Flask
app = Flask(__name__)
bp = Blueprint("b", __name__)

@bp.before_request
def only_b():
    pass

@bp.before_app_request
def everywhere():
    pass

@bp.route("/x")
def x():
    return ""

@click.command("init-db")
def init_db_command():
    pass

@click.command()
def seed_cmd():
    pass

app.cli.add_command(init_db_command)
app.cli.add_command(seed_cmd)
app.register_blueprint(bp)
'''})
    hooks = {(h.kind, h.handler.rsplit(".", 1)[-1], h.argument) for h in r.inventory.hooks}
    assert ("before_request", "only_b", None) in hooks
    assert ("before_app_request", "everywhere", None) in hooks
    assert ("cli_command", "init_db_command", "init-db") in hooks
    assert ("cli_command", "seed_cmd", "seed") in hooks
