"""The generator's state and the helpers every part of it shares (names, paths, endpoint renames)."""

from __future__ import annotations

import ast
import re

import libcst as cst

from decompose.codemods.app_to_current_app import AppToCurrentAppTransformer
from decompose.codemods.endpoint_renames import RenameEndpointsTransformer, endpoint_collections
from decompose.codemods.module_imports import RewriteModuleImportsTransformer
from decompose.codemods.route_to_blueprint import RouteToBlueprintTransformer
from decompose.codemods.strip_registrations import StripRegistrationsTransformer
from decompose.extract import plan as P
from decompose.extract.gen_support import (
    KERNEL,
    _code,
    _FlaskImportName,
    _FromObjectName,
    _FromObjectString,
    _Module,
    _strip_first_blank,
    _url_for_names,
    apply_to_statement,
    visit_statement,
)
from decompose.extract.imports import module_package
from decompose.extract.project import Project, module_mapping
from decompose.extract.source import SourceIndex, Statement
from decompose.model.extraction import KeptAsIs


class GeneratorBase:
    """What a Generator knows about one extraction, and the helpers its parts share."""

    def __init__(
        self,
        index: SourceIndex,
        project: Project,
        placement: P.Placement,
        *,
        package: str = "webapp",
        in_place: bool = False,
    ) -> None:
        self.index = index
        self.project = project
        self.placement = placement
        self.package = package
        self.in_place = in_place
        self.app = index.app_name
        self.mapping = {} if in_place else module_mapping(project, f"{package}.{KERNEL}")
        self.url_for_names = _url_for_names(index)
        self.modules: dict[str, _Module] = {}
        self.notes: list[str] = list(placement.notes)
        self.kept: list[KeptAsIs] = []
        self.bp_var = self._free_name("bp")
        # create_app's parameter; a monolith global named `config` keeps its name
        self.config_param = "config" if self._free_name("config") == "config" else self._free_name("test_config")
        self._route_to_bp = RouteToBlueprintTransformer(app_name=self.app, blueprint=self.bp_var)
        self._current_app = AppToCurrentAppTransformer(app_name=self.app)
        self._collections = endpoint_collections("".join(s.code for s in index.statements))
        self._renamer = (
            RenameEndpointsTransformer(
                renames=placement.renames, url_for_names=self.url_for_names, collections=self._collections
            )
            if placement.renames
            else None
        )

    def _free_name(self, wanted: str) -> str:
        taken = set(self.placement.providers) | {n for s in self.index.statements for n in s.uses}
        name = wanted
        while name in taken:
            name = f"_{name}"
        return name

    # -- per-statement transformation ---------------------------------------------------------

    def _transform(self, stmt: Statement, module_id: str) -> tuple[cst.BaseStatement, list[tuple[str, str]]]:
        """Apply the codemods this statement's move requires (the transformers, without the
        codemod machinery: extract manages imports itself, and runs them per statement)."""
        node = stmt.node
        code = stmt.code
        registrations: list[tuple[str, str]] = []
        if module_id.endswith(".routes") and stmt.kind in {"route", "url_rule"}:
            if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                node = node.with_changes(decorators=[d.visit(self._route_to_bp) for d in node.decorators])
            else:
                node = visit_statement(node, self._route_to_bp)
        if stmt.kind == "hook" and module_id != P.LEGACY:
            strip = StripRegistrationsTransformer(app_name=self.app)
            node = visit_statement(node, strip)
            registrations = strip.registrations
        if self._renamer is not None and self._mentions_endpoint(code):
            node = visit_statement(node, self._renamer)
        if self.mapping and "import" in code and any(old in code for old in self.mapping):
            package = module_package(self.package, module_id if module_id != P.WSGI else "__init__")
            node = visit_statement(node, RewriteModuleImportsTransformer(mapping=self.mapping, package=package))
        if module_id not in {P.INIT, P.WSGI} and "Flask(__name__" in code:
            # a factory moved into a module of the package: its app keeps the package's root
            # path (templates/, static/) and name, as `Flask(__name__)` in create_app has
            depth = module_id.count(".") + 1
            name = f'"{self.index.module_name}"' if self.in_place else f'__name__.rsplit(".", {depth})[0]'
            node = visit_statement(node, _FlaskImportName(name))
        if module_id == P.INIT and P.FROM_OBJECT_NAME.search(code):
            node = visit_statement(node, _FromObjectName(f".{P.SHARED}"))
        if module_id == P.INIT and ".from_object(" in code and self.mapping:
            node = visit_statement(node, _FromObjectString(self.mapping, self.package))
        if self.app in stmt.uses and module_id not in {P.INIT, P.WSGI} and stmt.kind != "setup" and not stmt.keep_app:
            self._current_app.source = code  # earlier rewrites never bind or unbind the app name
            node = apply_to_statement(self._current_app, node)
        assert isinstance(node, cst.BaseStatement)
        return node, registrations

    def renamer_for(self, text: str) -> RenameEndpointsTransformer:
        """The endpoint renamer for another file of the project (its own ``url_for`` import)."""
        return RenameEndpointsTransformer(
            renames=self.placement.renames,
            url_for_names=tuple(sorted({*self.url_for_names, "url_for"})),
            collections=endpoint_collections(text),
        )

    def _configures_app(self, node: cst.BaseStatement) -> bool:
        """``app.config…`` or ``app.secret_key = …`` (any attribute set on the app): configuration
        that a ``create_app(config)`` override must come after."""
        code = _code(node.with_changes(leading_lines=())).lstrip()
        if code.startswith(f"{self.app}.config"):
            return True
        return bool(re.match(rf"{re.escape(self.app)}\.\w+\s*=[^=]", code))

    def _report_dynamic_endpoints(self, path: str, code: str, first_line: int) -> None:
        """Note every ``url_for`` whose endpoint is computed at run time: the renames cannot
        follow it, so the user has to (``first_line`` is the file line of ``code``'s first)."""
        if not self.placement.renames or ("url_for" not in code and "view_functions" not in code):
            return
        try:
            tree = ast.parse(code)
        except SyntaxError:
            return
        for node in ast.walk(tree):
            if isinstance(node, ast.Subscript) and ast.unparse(node.value).endswith("view_functions"):
                self.notes.append(
                    f"{path}:{first_line + node.lineno - 1}: {ast.unparse(node)} looks a view up by endpoint "
                    "name; endpoints moved to blueprints are now domain.x: check it by hand"
                )
            if not isinstance(node, ast.Call) or not ast.unparse(node.func).endswith("url_for"):
                continue
            arg = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "endpoint"), None)
            if arg is None or (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                continue
            self.notes.append(
                f"{path}:{first_line + node.lineno - 1}: url_for({ast.unparse(arg)}): endpoint computed at run "
                "time; rename it by hand to domain.x"
            )

    def _mentions_endpoint(self, code: str) -> bool:
        """Cheap pre-check: only statements that quote a renamed endpoint need the codemod."""
        if any(re.search(rf"^{name}\s*=", code, re.M) for name in self._collections):
            return True
        return any(f'"{old}"' in code or f"'{old}'" in code for old in self.placement.renames)

    def _module(self, module_id: str) -> _Module:
        if module_id not in self.modules:
            self.modules[module_id] = _Module(module_id, self._docstring_for(module_id))
        return self.modules[module_id]

    def _docstring_for(self, module_id: str) -> str:
        src = self.index.path
        domain = P.domain_of_module(module_id)
        if module_id.endswith(".routes"):
            return f"The {domain} domain's routes, moved from {src}: a Blueprint; handlers are verbatim."
        if module_id.endswith(".services"):
            return (
                f"The {domain} domain's services, moved from {src}: its own helpers, and the functions "
                "other domains may call."
            )
        return {
            P.SHARED: f"Shared kernel: helpers, classes and state from {src} used by several domains or by the app.",
            P.HOOKS: f"Request hooks, error handlers and template helpers from {src}; create_app registers them.",
            P.COMMANDS: f"CLI commands from {src}; create_app registers them on app.cli.",
            P.EXTENSIONS: (
                f"Objects {src} bound to the app at import time, created unbound here; "
                "create_app initialises them with the original arguments."
            ),
            P.LEGACY: f"Code from {src} that extract could not move safely, kept as written (see the report).",
        }.get(module_id, "")

    # -- paths and notes ----------------------------------------------------------------------

    def _kernel_path(self, relpath: str) -> str:
        return f"{self.package}/{KERNEL}/{relpath}"

    def _path(self, module_id: str) -> str:
        if module_id == P.WSGI:
            return "wsgi.py"
        if module_id == P.INIT:
            return f"{self.package}/__init__.py"
        return f"{self.package}/{module_id.replace('.', '/')}.py"

    def _note_unresolved(self, module_id: str, names: list[str]) -> None:
        for name in names:
            if name == self.app:
                self.notes.append(f"{self._path(module_id)}: uses the module-level app at import time; left as `{name}`")
            else:
                self.notes.append(f"{self._path(module_id)}: `{name}` is not defined in {self.index.path} either")

    def _function(self, name: str, body: list[cst.BaseStatement], doc: str) -> cst.FunctionDef:
        header = cst.parse_statement(f'def {name}({self.app}):\n    """{doc}"""\n')
        assert isinstance(header, cst.FunctionDef)
        block = header.body
        assert isinstance(block, cst.IndentedBlock)
        stmts = [_strip_first_blank(n, i) for i, n in enumerate(body)]
        return header.with_changes(body=block.with_changes(body=[*block.body, *stmts]))

