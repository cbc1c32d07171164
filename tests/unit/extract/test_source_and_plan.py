"""Statement index and placement rules, on small inline monoliths."""

from __future__ import annotations

from pathlib import Path

from decompose.extract import plan as P
from decompose.extract import plan_extraction
from decompose.extract.source import index_source

MONOLITH = '''\
"""Doc."""
from __future__ import annotations

import click
from flask import Flask, jsonify
from flask_jwt_extended import JWTManager

app = Flask(__name__)
app.config["X"] = 1
jwt = JWTManager(app)
TIMEOUT = app.config["X"]
CACHE = {}


def shared_helper():
    return CACHE


def only_a():
    return shared_helper()


@app.before_request
def hook():
    CACHE["n"] = 1


@app.cli.command("hello")
def hello():
    click.echo("hi")


@app.route("/a")
def a():
    return jsonify(only_a(), TIMEOUT)


@app.route("/b")
def b():
    return jsonify(shared_helper())


def dynamic():
    return globals()["a"]


if __name__ == "__main__":
    app.run()
'''


def test_statements_are_classified() -> None:
    index = index_source("app.py", "app", MONOLITH)
    kinds = {s.name: s.kind for s in index.statements}
    assert kinds["module docstring"] == "docstring"
    assert kinds["app"] == "app"
    assert kinds["jwt"] == "extension"
    assert kinds["TIMEOUT"] == "app_value"
    assert kinds["CACHE"] == "state"
    assert kinds["hook"] == kinds["hello"] == "hook"
    assert kinds["a"] == "route"
    assert kinds["__main__ guard"] == "main"
    assert index.future_imports == ("annotations",)
    route_a = next(s for s in index.statements if s.name == "a")
    assert (route_a.line, route_a.end_line, route_a.endpoints) == (33, 35, ("a",))
    assert "TIMEOUT" in route_a.uses and "app" in route_a.top_uses
    dynamic = next(s for s in index.statements if s.name == "dynamic")
    assert "globals" in dynamic.unsafe


def test_placement_follows_users() -> None:
    index = index_source("app.py", "app", MONOLITH)
    placement = P.place(index, {"a": "alpha", "b": "beta"})
    where = {s.name: placement.module.get(s.index) for s in index.statements}
    assert where["a"] == "alpha.routes" and where["b"] == "beta.routes"
    assert where["only_a"] == "alpha.services"
    assert where["shared_helper"] == P.SHARED  # used by two domains
    assert where["CACHE"] == P.SHARED  # used by shared code and a hook
    assert where["hook"] == P.HOOKS and where["hello"] == P.COMMANDS
    assert where["jwt"] == where["TIMEOUT"] == P.EXTENSIONS
    assert where["app"] == P.INIT and where["__main__ guard"] == P.WSGI
    assert where["dynamic"] == P.LEGACY
    assert placement.renames == {"a": "alpha.a", "b": "beta.b"}


def test_generated_package(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(MONOLITH)
    result, _ = plan_extraction(tmp_path / "app.py", endpoint_domains={"a": "alpha", "b": "beta"})
    files = {f.path: f.content for f in result.files}
    init = files["webapp/__init__.py"]
    # registrations in the original order, the config override right after the config lines
    order = [
        'app = Flask(__name__)',
        'app.config["X"] = 1',
        "if isinstance(config, dict):",
        "jwt.init_app(app)",
        'app.extensions["webapp.TIMEOUT"] = app.config["X"]',
        "app.before_request(hook)",
        'app.cli.command("hello")(hello)',
        "app.register_blueprint(alpha_bp)",
        "app.register_blueprint(beta_bp)",
        "return app",
    ]
    positions = [init.index(line) for line in order]
    assert positions == sorted(positions)
    assert "from __future__ import annotations\n" in files["webapp/alpha/routes.py"]
    assert 'bp = Blueprint("alpha", __name__)' in files["webapp/alpha/routes.py"]
    assert "from .services import only_a" in files["webapp/alpha/routes.py"]
    assert "from ..shared.helpers import shared_helper" in files["webapp/beta/routes.py"]
    assert "jwt = JWTManager()\n" in files["webapp/extensions.py"]
    assert 'TIMEOUT = LocalProxy(lambda: current_app.extensions["webapp.TIMEOUT"])' in files["webapp/extensions.py"]
    assert 'if __name__ == "__main__":\n    app.run()' in files["wsgi.py"]
    assert "def dynamic():\n    return globals()" in files["webapp/legacy_code.py"]
    assert [k.reason for k in result.plan.kept] == ["calls globals(), whose effect depends on the module it runs in"]
    contract = files[".importlinter"]
    assert "forbidden_modules =\n    webapp.alpha.routes" in contract


def test_app_read_at_definition_time_is_kept_as_is(tmp_path: Path) -> None:
    code = (
        "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
        "def cached(timeout):\n    return lambda f: f\n\n\n"
        '@app.route("/x")\n@cached(timeout=app.config.get("TTL", 5))\ndef x():\n    return "x"\n\n\n'
        "class Settings:\n    DEBUG = app.debug\n\n\n"
        '@app.route("/y")\ndef y():\n    return str(app.debug)\n'
    )
    (tmp_path / "app.py").write_text(code)
    result, _ = plan_extraction(tmp_path / "app.py", endpoint_domains={"x": "a", "y": "a"})
    kept = {(k.location.line, k.target) for k in result.plan.kept}
    assert kept == {(10, "webapp/legacy_code.py"), (16, "webapp/legacy_code.py")}
    legacy = next(f.content for f in result.files if f.path == "webapp/legacy_code.py")
    assert "def register_legacy(app):" in legacy and '    @app.route("/x")' in legacy
    assert [r.old for r in result.plan.renames] == ["y"]
