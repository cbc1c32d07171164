"""Property: for randomly generated apps, the routes analyze finds equal Flask's url_map."""

from __future__ import annotations

import importlib
import sys
import uuid
from pathlib import Path

import flask  # noqa: F401  (imported once, not per example)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decompose.analysis import analyze
from decompose.config import Config

SEGMENTS = st.sampled_from(["a", "b", "items", "<int:id>", "<name>", "x-y", ""])
METHODS = st.lists(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]), max_size=3, unique=True)


@st.composite
def route(draw: st.DrawFn, index: int) -> tuple[str, str]:
    rule = "/" + "/".join(draw(st.lists(SEGMENTS, min_size=0, max_size=3)))
    if "<" in rule and rule.count("<int:id>") + rule.count("<name>") != len({s for s in rule.split("/") if s.startswith("<")}):
        rule = f"/r{index}"
    methods = draw(st.none() | METHODS)
    endpoint = draw(st.none() | st.just(f"ep{index}"))
    auto = draw(st.sampled_from([None, True, False]))
    form = draw(st.sampled_from(["route", "add_url_rule", "shortcut"]))
    args = [repr(rule)]
    if methods is not None and form != "shortcut":
        args.append(f"methods={methods!r}")
    if endpoint is not None:
        args.append(f"endpoint={endpoint!r}")
    if auto is not None:
        args.append(f"provide_automatic_options={auto}")
    target = draw(st.sampled_from(["app", "bp", "child"]))
    if form == "route":
        code = f"@{target}.route({', '.join(args)})\ndef view{index}(**kw):\n    return ''\n"
    elif form == "shortcut":
        verb = draw(st.sampled_from(["get", "post", "put", "delete", "patch"]))
        code = f"@{target}.{verb}({', '.join(args)})\ndef view{index}(**kw):\n    return ''\n"
    else:
        code = f"def view{index}(**kw):\n    return ''\n{target}.add_url_rule({', '.join(args)}, view_func=view{index})\n"
    return code, target


@st.composite
def app_source(draw: st.DrawFn) -> str:
    n = draw(st.integers(min_value=1, max_value=6))
    prefix = draw(st.sampled_from([None, "/api", "/api/", "/v1/x"]))
    reg_prefix = draw(st.sampled_from([None, "/r", "/"]))
    lines = ["from flask import Blueprint, Flask", "app = Flask(__name__, static_folder=None)"]
    bp_args = f", url_prefix={prefix!r}" if prefix is not None else ""
    lines.append(f"bp = Blueprint('bp', __name__{bp_args})")
    child_prefix = draw(st.sampled_from([None, "/c", "/c/"]))
    lines.append("child = Blueprint('child', __name__" + (f", url_prefix={child_prefix!r})" if child_prefix else ")"))
    for i in range(n):
        code, _ = draw(route(i))
        lines.append(code)
    nested = draw(st.sampled_from([None, "/n", "/n/"]))
    lines.append("bp.register_blueprint(child" + (f", url_prefix={nested!r})" if nested else ")"))
    reg = f", url_prefix={reg_prefix!r}" if reg_prefix is not None else ""
    lines.append(f"app.register_blueprint(bp{reg})")
    if draw(st.booleans()):
        lines.append("app.register_blueprint(bp, name='again', url_prefix='/again')")
    if draw(st.booleans()):
        lines.append("from flask.views import MethodView")
        verbs = draw(st.lists(st.sampled_from(["get", "post", "put", "delete"]), min_size=1, max_size=3, unique=True))
        body = "".join(f"    def {v}(self, **kw):\n        return ''\n" for v in verbs)
        lines.append(f"class V(MethodView):\n{body}")
        lines.append("app.add_url_rule('/view', view_func=V.as_view('view'))")
    return "\n".join(lines) + "\n"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(source=app_source())
def test_generated_apps_match_url_map(tmp_path_factory, source: str) -> None:  # type: ignore[no-untyped-def]
    root: Path = tmp_path_factory.mktemp("gen")
    name = f"gen_{uuid.uuid4().hex[:8]}"
    (root / f"{name}.py").write_text(source)
    sys.path.insert(0, str(root))
    try:
        try:
            module = importlib.import_module(name)
        except (AssertionError, ValueError, TypeError):
            return  # Flask itself refuses this app (duplicate endpoint, bad rule): nothing to compare
        expected = {(r.rule, r.endpoint, tuple(sorted(r.methods or ()))) for r in module.app.url_map.iter_rules()}
        result = analyze(root / f"{name}.py", config=Config(), use_cache=False) if expected else None
    finally:
        sys.path.remove(str(root))
        sys.modules.pop(name, None)
    if result is None:
        return
    found = {(r.rule, r.endpoint, r.methods) for r in (*result.inventory.routes, *result.inventory.static_routes)}
    assert found == expected, source
