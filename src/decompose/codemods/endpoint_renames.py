"""Rename endpoints where code names them: ``url_for``, ``request.endpoint``, ``login_view``.

Once a route moves to a blueprint its endpoint ``x`` becomes ``domain.x``. This codemod rewrites
the string literals that name endpoints, using the ``renames`` mapping (old -> new):

- the endpoint argument of ``url_for("x", ...)`` / ``flask.url_for(endpoint="x")``, wherever the
  call is (so ``redirect(url_for("x"))`` follows);
- comparisons with ``request.endpoint``: ``==``, ``!=``, ``in`` / ``not in`` a literal tuple,
  list or set of strings;
- ``<anything>.login_view = "x"`` (Flask-Login and look-alikes);
- the endpoint of ``@bp.endpoint("x")``, which Flask does not prefix with the blueprint name;
- the string elements of a tuple/list/set literal assigned to a name listed in ``collections``
  (``PUBLIC = ("login", "index")`` when the code tests ``request.endpoint in PUBLIC``; extract
  finds those names with :func:`endpoint_collections`).

Left alone: strings that are not in ``renames``, endpoints built at run time (f-strings, variables),
relative endpoints (``".x"``, which already name a blueprint's own endpoint), and other strings
that merely look like endpoint names. The quote style and string prefix are kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import libcst as cst
from libcst.codemod import CodemodCommand, CodemodContext

from decompose.codemods._examples import Example
from decompose.codemods._names import dotted


class RenameEndpointsTransformer(cst.CSTTransformer):
    """The rewrite itself, usable without the codemod machinery (extract runs it per statement)."""


    def __init__(
        self,
        renames: Mapping[str, str] | None = None,
        url_for_names: tuple[str, ...] = ("url_for", "flask.url_for"),
        collections: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        self.renames = dict(renames or {})
        self.url_for_names = frozenset(url_for_names)
        self.collections = frozenset(collections)

    def _rename(self, node: cst.BaseExpression) -> cst.BaseExpression:
        if not isinstance(node, cst.SimpleString):
            return node
        value = node.evaluated_value
        if not isinstance(value, str) or value not in self.renames:
            return node
        new = self.renames[value]
        prefix = node.prefix
        quote = node.quote
        return node.with_changes(value=f"{prefix}{quote}{new}{quote}")

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        func = updated_node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "endpoint" and updated_node.args:
            # `@bp.endpoint("x")` binds the view of endpoint "x" (Flask does not prefix it)
            first = updated_node.args[0]
            if first.keyword is None and first.star == "":
                args = [first.with_changes(value=self._rename(first.value)), *updated_node.args[1:]]
                return updated_node.with_changes(args=args)
        if dotted(updated_node.func) not in self.url_for_names or not updated_node.args:
            return updated_node
        args = list(updated_node.args)
        for i, arg in enumerate(args):
            positional_first = i == 0 and arg.keyword is None and arg.star == ""
            keyword = arg.keyword is not None and arg.keyword.value == "endpoint"
            if positional_first or keyword:
                args[i] = arg.with_changes(value=self._rename(arg.value))
        return updated_node.with_changes(args=args)

    def leave_Comparison(
        self, original_node: cst.Comparison, updated_node: cst.Comparison
    ) -> cst.Comparison:
        left_is_endpoint = dotted(updated_node.left) == "request.endpoint"
        left = updated_node.left
        if not left_is_endpoint:
            # "x" == request.endpoint
            if len(updated_node.comparisons) == 1 and dotted(
                updated_node.comparisons[0].comparator
            ) == "request.endpoint" and isinstance(
                updated_node.comparisons[0].operator, (cst.Equal, cst.NotEqual)
            ):
                return updated_node.with_changes(left=self._rename(left))
            return updated_node
        targets = []
        for comp in updated_node.comparisons:
            comparator = comp.comparator
            if isinstance(comp.operator, (cst.Equal, cst.NotEqual)):
                comparator = self._rename(comparator)
            elif isinstance(comp.operator, (cst.In, cst.NotIn)) and isinstance(
                comparator, (cst.Tuple, cst.List, cst.Set)
            ):
                elements = [e.with_changes(value=self._rename(e.value)) for e in comparator.elements]
                comparator = comparator.with_changes(elements=elements)
            targets.append(comp.with_changes(comparator=comparator))
        return updated_node.with_changes(comparisons=targets)

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        if len(updated_node.targets) == 1:
            target = updated_node.targets[0].target
            if isinstance(target, cst.Attribute) and target.attr.value == "login_view":
                return updated_node.with_changes(value=self._rename(updated_node.value))
            value = updated_node.value
            if (
                isinstance(target, cst.Name)
                and target.value in self.collections
                and isinstance(value, (cst.Tuple, cst.List, cst.Set))
            ):
                elements = [e.with_changes(value=self._rename(e.value)) for e in value.elements]
                return updated_node.with_changes(value=value.with_changes(elements=elements))
        return updated_node


class RenameEndpoints(CodemodCommand):
    """Endpoint string literals -> their new ``domain.endpoint`` names (see the module docstring)."""

    DESCRIPTION = "Rewrite endpoint names in url_for, request.endpoint comparisons and login_view."

    def __init__(
        self,
        context: CodemodContext,
        renames: Mapping[str, str] | None = None,
        url_for_names: tuple[str, ...] = ("url_for", "flask.url_for"),
        collections: tuple[str, ...] = (),
    ) -> None:
        super().__init__(context)
        self.transformer = RenameEndpointsTransformer(
            renames=renames, url_for_names=url_for_names, collections=collections
        )

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        return tree.visit(self.transformer)


_ENDPOINT_IN_NAME = re.compile(r"request\.endpoint\s+(?:not\s+)?in\s+([A-Za-z_]\w*)")


def endpoint_collections(code: str) -> tuple[str, ...]:
    """Names that code tests ``request.endpoint in NAME`` against."""
    return tuple(sorted(set(_ENDPOINT_IN_NAME.findall(code))))


_R = {"renames": {"login": "auth.login", "me": "auth.me", "index": "main.index"}}
EXAMPLES = (
    Example(
        "url_for and redirect",
        'def f():\n    return redirect(url_for("login", next=url_for(\'me\')))\n',
        'def f():\n    return redirect(url_for("auth.login", next=url_for(\'auth.me\')))\n',
        _R,
    ),
    Example(
        "endpoint keyword and flask.url_for",
        'x = flask.url_for(endpoint="index", _external=True)\n',
        'x = flask.url_for(endpoint="main.index", _external=True)\n',
        _R,
    ),
    Example(
        "request.endpoint comparisons",
        'if request.endpoint == "login" or request.endpoint in ("me", "other"):\n    pass\n'
        'if "index" != request.endpoint:\n    pass\n',
        'if request.endpoint == "auth.login" or request.endpoint in ("auth.me", "other"):\n    pass\n'
        'if "main.index" != request.endpoint:\n    pass\n',
        _R,
    ),
    Example(
        "login_view",
        'login_manager.login_view = "login"\n',
        'login_manager.login_view = "auth.login"\n',
        _R,
    ),
    Example(
        "a tuple of endpoints tested with request.endpoint in NAME",
        'PUBLIC = ("login", "index", "static")\nOTHER = ("login",)\n',
        'PUBLIC = ("auth.login", "main.index", "static")\nOTHER = ("login",)\n',
        {**_R, "collections": ("PUBLIC",)},
    ),
    Example(
        "view bound with .endpoint()",
        '@bp.endpoint("index")\ndef late():\n    return ""\n',
        '@bp.endpoint("main.index")\ndef late():\n    return ""\n',
        _R,
    ),
    Example("unknown endpoint", 'u = url_for("static", filename="x.css")\n', None, _R),
    Example("dynamic endpoint", 'u = url_for(name)\nv = url_for(f"{x}")\n', None, _R),
    Example("relative endpoint", 'u = url_for(".login")\n', None, _R),
    Example("look-alike strings", 'ROLE = "login"\nprint("me")\n', None, _R),
)
