"""Property tests: the endpoint rename is idempotent, keeps code parseable, and touches nothing
but the endpoint strings it was asked to rename."""

from __future__ import annotations

import libcst as cst
from hypothesis import given, settings
from hypothesis import strategies as st
from libcst.codemod import CodemodContext

from decompose.codemods import RenameEndpoints, RouteToBlueprint

NAMES = st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True)


def _code(endpoints: list[str]) -> str:
    lines = ["from flask import redirect, request, url_for", "", ""]
    for i, name in enumerate(endpoints):
        lines += [
            f'@app.route("/p{i}")',
            f"def view_{i}():",
            f'    if request.endpoint == "{name}":',
            f'        return redirect(url_for("{name}", page={i}))',
            f'    return "{name}"  # a look-alike string, never renamed',
            "",
            "",
        ]
    return "\n".join(lines)


@settings(max_examples=40, deadline=None)
@given(endpoints=st.lists(NAMES, min_size=1, max_size=5, unique=True), domain=NAMES)
def test_rename_is_idempotent_and_precise(endpoints: list[str], domain: str) -> None:
    renames = {name: f"{domain}.{name}" for name in endpoints}
    code = _code(endpoints)
    once = RenameEndpoints(CodemodContext(), renames=renames).transform_module(cst.parse_module(code)).code
    twice = RenameEndpoints(CodemodContext(), renames=renames).transform_module(cst.parse_module(once)).code
    assert twice == once
    compile(once, "<renamed>", "exec")
    for name in endpoints:
        assert f'url_for("{domain}.{name}"' in once
        assert f'request.endpoint == "{domain}.{name}"' in once
        assert f'return "{name}"  # a look-alike string' in once
    # nothing but the quoted endpoints changed, line for line
    for before, after in zip(code.splitlines(), once.splitlines(), strict=True):
        if before != after:
            assert "url_for(" in before or "request.endpoint" in before


@settings(max_examples=30, deadline=None)
@given(app_name=st.sampled_from(["app", "application", "APP"]), bp=NAMES)
def test_route_to_blueprint_only_touches_route_registrations(app_name: str, bp: str) -> None:
    code = (
        f'@{app_name}.route("/a")\ndef a():\n    return {app_name}.name\n\n\n'
        f'@{app_name}.before_request\ndef hook():\n    pass\n\n\n'
        f'{app_name}.add_url_rule("/b", "b", a)\n'
    )
    out = RouteToBlueprint(CodemodContext(), app_name=app_name, blueprint=bp).transform_module(cst.parse_module(code)).code
    assert out == code.replace(f"@{app_name}.route", f"@{bp}.route").replace(
        f"{app_name}.add_url_rule", f"{bp}.add_url_rule"
    )
