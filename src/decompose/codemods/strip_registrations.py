"""Take app registration decorators off a function so that ``create_app`` can register it.

``@app.before_request``, ``@app.errorhandler(404)``, ``@app.cli.command("seed")``,
``@app.template_filter()``… register the function on the module-level app as a side effect of
defining it. In a factory there is no module-level app, so this codemod removes those decorators
and records them (``registrations``: function name and decorator source, outermost first); the
generator then emits ``app.errorhandler(404)(not_found)`` in ``create_app``, in the original order.
Flask's registration decorators return the function unchanged, which makes the two equivalent.

Left alone: route decorators (``RouteToBlueprint`` moves those), decorators on other objects
(``@jwt.token_in_blocklist_loader``, ``@click.option``, ``@login_required``), and registration
decorators that sit below a non-registration decorator (the extractor keeps such code as-is).
"""

from __future__ import annotations

import libcst as cst
from libcst.codemod import CodemodCommand, CodemodContext

from decompose.codemods._examples import Example

ROUTE_ATTRS = frozenset({"route", "get", "post", "put", "patch", "delete"})


def _root(node: cst.BaseExpression) -> cst.BaseExpression:
    while isinstance(node, (cst.Attribute, cst.Call)):
        node = node.value if isinstance(node, cst.Attribute) else node.func
    return node


def is_registration(decorator: cst.Decorator, app_name: str) -> bool:
    expr = decorator.decorator
    root = _root(expr)
    if not (isinstance(root, cst.Name) and root.value == app_name):
        return False
    func = expr.func if isinstance(expr, cst.Call) else expr
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.attr.value in ROUTE_ATTRS:
        return False
    return True


class StripRegistrationsTransformer(cst.CSTTransformer):
    """The rewrite itself, usable without the codemod machinery (extract runs it per statement)."""


    def __init__(self, app_name: str = "app") -> None:
        super().__init__()
        self.app_name = app_name
        self.registrations: list[tuple[str, str]] = []
        self._depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self._depth += 1
        return True

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self._depth += 1
        return True

    def _strip(self, node: cst.FunctionDef | cst.ClassDef) -> cst.FunctionDef | cst.ClassDef:
        self._depth -= 1
        if self._depth:
            return node  # only module-level definitions register at import time
        decorators = list(node.decorators)
        count = 0
        while count < len(decorators) and is_registration(decorators[count], self.app_name):
            count += 1
        if not count:
            return node
        module = cst.Module(body=[])
        for dec in decorators[:count]:
            self.registrations.append((node.name.value, module.code_for_node(dec.decorator)))
        rest = decorators[count:]
        # comments above the first decorator stay above the definition
        leading = list(node.leading_lines) + [line for dec in decorators[:count] for line in dec.leading_lines]
        if rest:
            rest[0] = rest[0].with_changes(leading_lines=[])
        changed = node.with_changes(decorators=rest, leading_lines=leading)
        if not rest:
            changed = changed.with_changes(lines_after_decorators=())
        return changed

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        result = self._strip(updated_node)
        assert isinstance(result, cst.FunctionDef)
        return result

    def leave_ClassDef(self, original_node: cst.ClassDef, updated_node: cst.ClassDef) -> cst.ClassDef:
        result = self._strip(updated_node)
        assert isinstance(result, cst.ClassDef)
        return result


class StripRegistrations(CodemodCommand):
    """App registration decorators -> recorded for create_app (see the module docstring)."""

    DESCRIPTION = "Remove app registration decorators; create_app registers the functions."

    def __init__(self, context: CodemodContext, app_name: str = "app") -> None:
        super().__init__(context)
        self.transformer = StripRegistrationsTransformer(app_name=app_name)

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        return tree.visit(self.transformer)


EXAMPLES = (
    Example(
        "hook",
        "# timing\n@app.before_request\ndef start():\n    g.t = 1\n",
        "# timing\ndef start():\n    g.t = 1\n",
    ),
    Example(
        "errorhandler and cli keep their other decorators",
        '@app.errorhandler(404)\ndef nf(e):\n    return "nf", 404\n\n\n'
        '@app.cli.command("seed")\n@click.option("--n", default=1)\ndef seed(n):\n    pass\n',
        'def nf(e):\n    return "nf", 404\n\n\n'
        '@click.option("--n", default=1)\ndef seed(n):\n    pass\n',
    ),
    Example("routes stay", '@app.route("/")\ndef index():\n    return ""\n'),
    Example("other objects stay", "@jwt.token_in_blocklist_loader\ndef revoked(h, p):\n    return False\n"),
    Example("below another decorator stays", "@cached\n@app.template_filter()\ndef up(s):\n    return s\n"),
)
