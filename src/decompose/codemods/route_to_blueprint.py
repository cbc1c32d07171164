"""Move route registrations from the app object to a blueprint.

Rewrites ``@app.route(...)`` / ``@app.get|post|put|patch|delete(...)`` / ``@app.endpoint(...)``
decorators and ``app.add_url_rule(...)`` calls on the Flask app variable (``app_name``) so that they register
on ``blueprint`` instead. Nothing else changes: the rule, methods, endpoint argument and the
handler keep their text, so Flask registers the same rule under ``<blueprint>.<endpoint>``.

Left alone: route decorators on other objects (an existing Blueprint keeps its own), and any
``app.…`` that is not a route registration (hooks and config are other codemods' business).
"""

from __future__ import annotations

import libcst as cst
from libcst.codemod import CodemodCommand, CodemodContext

from decompose.codemods._examples import Example

ROUTE_ATTRS = frozenset({"route", "get", "post", "put", "patch", "delete", "add_url_rule", "endpoint"})


class RouteToBlueprintTransformer(cst.CSTTransformer):
    """The rewrite itself, usable without the codemod machinery (extract runs it per statement)."""


    def __init__(self, app_name: str = "app", blueprint: str = "bp") -> None:
        super().__init__()
        self.app_name = app_name
        self.blueprint = blueprint

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        func = updated_node.func
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value == self.app_name
            and func.attr.value in ROUTE_ATTRS
        ):
            return updated_node.with_changes(func=func.with_changes(value=cst.Name(self.blueprint)))
        return updated_node


class RouteToBlueprint(CodemodCommand):
    """``@app.route`` / ``app.add_url_rule`` -> the blueprint (see the module docstring)."""

    DESCRIPTION = "Register routes on a blueprint instead of the app."

    def __init__(self, context: CodemodContext, app_name: str = "app", blueprint: str = "bp") -> None:
        super().__init__(context)
        self.transformer = RouteToBlueprintTransformer(app_name=app_name, blueprint=blueprint)

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        return tree.visit(self.transformer)


EXAMPLES = (
    Example(
        "decorator",
        '@app.route("/a", methods=["GET", "POST"])\ndef a():\n    return "a"\n',
        '@bp.route("/a", methods=["GET", "POST"])\ndef a():\n    return "a"\n',
    ),
    Example(
        "shortcut and stacked",
        '@app.get("/b")\n@app.route("/b2")\n# keep me\ndef b():\n    """Doc."""\n    return "b"\n',
        '@bp.get("/b")\n@bp.route("/b2")\n# keep me\ndef b():\n    """Doc."""\n    return "b"\n',
    ),
    Example(
        "add_url_rule",
        'app.add_url_rule("/h", "health", health, methods=["GET"])\n',
        'bp.add_url_rule("/h", "health", health, methods=["GET"])\n',
    ),
    Example(
        "other app name",
        '@application.route("/")\ndef index():\n    return ""\n',
        '@auth_bp.route("/")\ndef index():\n    return ""\n',
        {"app_name": "application", "blueprint": "auth_bp"},
    ),
    Example("blueprint routes stay", '@admin.route("/x")\ndef x():\n    return ""\n'),
    Example("hooks stay", "@app.before_request\ndef hook():\n    pass\n"),
    Example("config stays", 'TIMEOUT = app.config["TIMEOUT"]\n'),
)
