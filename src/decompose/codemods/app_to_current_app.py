"""Make moved functions reach the app through ``current_app`` instead of the module global.

Inside a function (at any depth) that reads the module-level Flask app variable ``app_name``:

- ``app.<attr>`` becomes ``current_app.<attr>`` (``app.config[...]``, ``app.logger.warning``…);
- a bare ``app`` (passed as an argument, returned) becomes ``current_app._get_current_object()``,
  the real app object, which is what the original code handed on.

and ``from flask import current_app`` is added when anything changed.

Left alone: module-level code (it runs inside ``create_app`` where ``app`` is a real local),
decorators (route and hook registrations are other codemods' business), and any function where
``app`` is a local or parameter — scopes are resolved with libcst's ScopeProvider, so shadowing
is respected.

Speed: the question "is ``app`` ever bound inside a function here?" is answered first by the
standard library's ``symtable`` (the compiler's own scope analysis). Only when the answer is yes
does the codemod resolve libcst's ScopeProvider, which costs seconds on a large module; that is
why the metadata is resolved here on demand instead of being declared.
"""

from __future__ import annotations

import symtable

import libcst as cst
from libcst.codemod import CodemodCommand, CodemodContext
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import ClassScope, GlobalScope, MetadataWrapper, ScopeProvider

from decompose.codemods._examples import Example


class AppToCurrentAppTransformer(cst.CSTTransformer):
    """The rewrite itself, usable without the codemod machinery (extract runs it per statement).

    ``source`` may give the module's code when the caller already has it (saves a code
    generation pass for the symtable check).
    """

    def __init__(self, app_name: str = "app") -> None:
        super().__init__()
        self.app_name = app_name
        self.changed = False
        self.source: str | None = None
        self._precomputed: set[cst.Name] | None = None
        self._targets: set[int] = set()
        self._bases: set[int] = set()
        self._depth = 0
        self._bodies: set[int] = set()
        self._not_reads: set[int] = set()

    def visit_Module(self, node: cst.Module) -> bool:
        self.changed = False
        self._targets, self._bases, self._bodies, self._not_reads = set(), set(), set(), set()
        self._depth = 0
        code = self.source if self.source is not None else node.code
        self.source = None
        if _bound_in_a_function(code, self.app_name):
            self._precomputed = self._targets_from_scopes(node)
        else:
            self._precomputed = None  # one pass: reads inside function bodies, found on the way
        return True

    def _targets_from_scopes(self, node: cst.Module) -> set[cst.Name]:
        # Reads of the name recorded in function/lambda/comprehension scopes that resolve to
        # the module (or to nothing: the app is defined in another module now).
        wrapper = MetadataWrapper(node, unsafe_skip_copy=True)
        scopes = {s for s in wrapper.resolve(ScopeProvider).values() if s is not None}
        targets: set[cst.Name] = set()
        for scope in scopes:
            if isinstance(scope, GlobalScope):
                continue
            if isinstance(scope, ClassScope) and isinstance(scope.parent, GlobalScope):
                continue  # a class body runs at import time, like module code
            for access in scope.accesses[self.app_name]:
                if all(isinstance(a.scope, GlobalScope) for a in access.referents):
                    if isinstance(access.node, cst.Name):
                        targets.add(access.node)
        return targets

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.FunctionDef, cst.Lambda)):
            self._bodies.add(id(node.body))
        elif isinstance(node, cst.Attribute):
            self._not_reads.add(id(node.attr))
        elif isinstance(node, cst.Arg) and node.keyword is not None:
            self._not_reads.add(id(node.keyword))
        if id(node) in self._bodies:
            self._depth += 1
        if isinstance(node, cst.Name) and node.value == self.app_name:
            if self._precomputed is not None:
                is_target = node in self._precomputed
            else:
                is_target = bool(self._depth) and id(node) not in self._not_reads
            if is_target:
                self._targets.add(id(node))
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
            self._bases.add(id(node.value))
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> cst.CSTNode:  # type: ignore[override]
        if id(original_node) in self._bodies:
            self._depth -= 1
        if isinstance(original_node, cst.Attribute) and id(original_node.value) in self._targets:
            self.changed = True
            assert isinstance(updated_node, cst.Attribute)
            updated_node = updated_node.with_changes(value=cst.Name("current_app"))
        elif isinstance(original_node, cst.Name) and id(original_node) in self._targets:
            if id(original_node) not in self._bases:
                self.changed = True
                updated_node = cst.parse_expression("current_app._get_current_object()")
        result: cst.CSTNode = super().on_leave(original_node, updated_node)  # type: ignore[assignment]
        return result


class AppToCurrentApp(CodemodCommand):
    """``app`` read inside functions -> ``current_app`` (see the module docstring)."""

    DESCRIPTION = "Replace the module-level app inside functions with flask.current_app."

    def __init__(self, context: CodemodContext, app_name: str = "app", add_imports: bool = True) -> None:
        super().__init__(context)
        self.transformer = AppToCurrentAppTransformer(app_name=app_name)
        self.add_imports = add_imports

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        result = tree.visit(self.transformer)
        if self.transformer.changed and self.add_imports:
            AddImportsVisitor.add_needed_import(self.context, "flask", "current_app")
        return result


def _bound_in_a_function(code: str, name: str) -> bool:
    """True if ``name`` is a local, parameter, closure or ``global`` name in any nested scope."""
    table = symtable.symtable(code, "<module>", "exec")
    stack = list(table.get_children())
    while stack:
        scope = stack.pop()
        try:
            sym = scope.lookup(name)
        except KeyError:
            sym = None
        if sym is not None and (sym.is_local() or sym.is_parameter() or sym.is_declared_global() or sym.is_free()):
            return True
        stack.extend(scope.get_children())
    return False


EXAMPLES = (
    Example(
        "config and logger",
        "from flask import jsonify\n\n\ndef f():\n"
        '    app.logger.warning("x %s", app.config["A"])\n    return jsonify(1)\n',
        "from flask import current_app, jsonify\n\n\ndef f():\n"
        '    current_app.logger.warning("x %s", current_app.config["A"])\n    return jsonify(1)\n',
    ),
    Example(
        "bare app",
        "def g():\n    return send_async(app, 1)\n",
        "from flask import current_app\n\ndef g():\n    return send_async(current_app._get_current_object(), 1)\n",
    ),
    Example(
        "nested function and other app name",
        "def h():\n    def inner():\n        return application.debug\n    return inner\n",
        "from flask import current_app\n\ndef h():\n    def inner():\n        return current_app.debug\n    return inner\n",
        {"app_name": "application"},
    ),
    Example("module level stays", 'app.config["A"] = 1\nX = app.name\n'),
    Example("local app stays", "def t(app):\n    return app.test_client()\n\n\ndef u():\n    app = make()\n    return app.name\n"),
    Example("decorators stay", '@app.route("/")\ndef index():\n    return ""\n'),
    Example("class body stays", "class C:\n    NAME = app.name\n"),
    Example(
        "attribute and keyword named app stay",
        "def k(x):\n    x.app = 1\n    return f(app=app.name)\n",
        "from flask import current_app\n\ndef k(x):\n    x.app = 1\n    return f(app=current_app.name)\n",
    ),
    Example(
        "a local app in one function, the global in another",
        "def a():\n    app = make()\n    return app.name\n\n\ndef b():\n    return app.name\n",
        "from flask import current_app\n\ndef a():\n    app = make()\n    return app.name\n\n\ndef b():\n    return current_app.name\n",
    ),
)
