"""Render the package: every generated file's text, from the index and the placement.

Pure: no file system writes (copied project modules and templates are read). Statements are
moved as libcst nodes, so comments, docstrings and formatting come along; the only rewrites are
the codemods in ``decompose.codemods``, applied where the move requires them.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from decompose.codemods.app_to_current_app import AppToCurrentAppTransformer
from decompose.codemods.endpoint_renames import RenameEndpointsTransformer, endpoint_collections
from decompose.codemods.module_imports import (
    RewriteModuleImportsTransformer,
    map_module,
    relative_module,
)
from decompose.codemods.route_to_blueprint import RouteToBlueprintTransformer
from decompose.codemods.strip_registrations import StripRegistrationsTransformer
from decompose.extract import plan as P
from decompose.extract.imports import (
    ImportSources,
    absolute_module,
    build_imports,
    module_package,
    relative_from,
)
from decompose.extract.project import Project, module_mapping
from decompose.extract.registering import import_name
from decompose.extract.source import SourceIndex, Statement, _names, dotted
from decompose.model.extraction import (
    EndpointRename,
    ExtractionPlan,
    GeneratedFile,
    KeptAsIs,
    Move,
)
from decompose.model.inventory import Location

KERNEL = "shared"


@dataclass
class _Module:
    id: str
    docstring: str
    nodes: list[cst.BaseStatement] = field(default_factory=list)
    prelude: list[str] = field(default_factory=list)  # code placed after the imports
    defines: set[str] = field(default_factory=set)
    uses: set[str] = field(default_factory=set)
    side_effects: bool = False  # must be imported even if nothing uses its names


def visit_statement(node: cst.BaseStatement, transformer: cst.CSTTransformer) -> cst.BaseStatement:
    """``node.visit(transformer)`` for a transformer that keeps statements statements."""
    out = node.visit(transformer)
    assert isinstance(out, cst.BaseStatement)
    return out


def _module_of(*nodes: cst.BaseStatement) -> cst.Module:
    return cst.Module(body=list(nodes))  # type: ignore[arg-type]  # libcst accepts any statement


def apply_to_statement(transformer: cst.CSTTransformer, node: cst.BaseStatement) -> cst.BaseStatement:
    """Run a transformer that expects a module on one statement."""
    result = _module_of(node).visit(transformer)
    out = result.body[0]
    assert isinstance(out, cst.BaseStatement)
    return out


_NAMES_CACHE: dict[str, tuple[set[str], set[str], set[str], set[str]]] = {}


def names_of(code: str) -> tuple[set[str], set[str], set[str], set[str]]:
    """``_names`` memoised on the code text (generated modules ask about the same nodes often)."""
    if code not in _NAMES_CACHE:
        _NAMES_CACHE[code] = _names(code)
    return _NAMES_CACHE[code]


_CODE_CACHE: dict[int, tuple[cst.CSTNode, str]] = {}


def _code(node: cst.CSTNode) -> str:
    """The node's source; memoised by identity (nodes are immutable; the cache keeps them alive)."""
    hit = _CODE_CACHE.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    code = cst.Module(body=[]).code_for_node(node)
    if len(_CODE_CACHE) > 20000:
        _CODE_CACHE.clear()
    _CODE_CACHE[id(node)] = (node, code)
    return code


def _url_for_names(index: SourceIndex) -> tuple[str, ...]:
    names = {"flask.url_for"}
    for stmt in index.statements:
        if stmt.kind != "import" or not isinstance(stmt.node, cst.SimpleStatementLine):
            continue
        for small in stmt.node.body:
            if isinstance(small, cst.ImportFrom) and dotted(small.module or cst.Name("_")) == "flask":
                if isinstance(small.names, cst.ImportStar):
                    names.add("url_for")
                else:
                    for alias in small.names:
                        if dotted(alias.name) == "url_for":
                            asname = alias.asname.name if alias.asname else None
                            names.add(asname.value if isinstance(asname, cst.Name) else "url_for")
    return tuple(sorted(names))


def _strip_leading_blank(node: cst.BaseStatement) -> cst.BaseStatement:
    lines = list(getattr(node, "leading_lines", ()))
    while lines and lines[0].comment is None:
        lines.pop(0)
    return node.with_changes(leading_lines=lines)


def _is_def(node: cst.CSTNode) -> bool:
    return isinstance(node, (cst.FunctionDef, cst.ClassDef))


def render_body(nodes: list[cst.BaseStatement]) -> str:
    """Top-level statements with PEP 8 spacing: two blank lines around definitions."""
    out: list[str] = []
    prev: cst.BaseStatement | None = None
    for node in nodes:
        original_blank = sum(1 for line in getattr(node, "leading_lines", ()) if line.comment is None)
        clean = _strip_leading_blank(node)
        if prev is None:
            # isort: two blank lines after the imports before a definition, one before anything else
            leading = list(getattr(clean, "leading_lines", ()))
            # isort: a comment attached to a definition belongs to it (two blank lines before it)
            detached = any(line.comment for line in leading) and leading[-1].comment is None
            blank = 2 if _is_def(node) and not detached else 1
        elif _is_def(node) or _is_def(prev):
            blank = 2
        else:
            blank = min(original_blank, 2)
        out.append("\n" * blank + _module_of(clean).code)
        prev = node
    return "".join(out)


def _docstring(text: str) -> str:
    return f'"""{text}"""\n'


class Generator:
    """Builds every file of the output from one placement."""

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

    # -- assembly -----------------------------------------------------------------------------

    def build(self) -> tuple[ExtractionPlan, list[GeneratedFile]]:
        index = self.index
        placement = self.placement
        create_body: list[cst.BaseStatement] = []
        legacy_register: list[cst.BaseStatement] = []
        wsgi_tail: list[cst.BaseStatement] = []
        registered_domains: list[str] = []
        moves: list[Move] = []
        app_value_outside = self._app_values_used_outside()
        config_insert_at: int | None = None
        app_seen = False

        for stmt in index.statements:
            module_id = placement.module.get(stmt.index)
            if module_id is None:
                continue
            loc = Location(stmt.file or index.path, stmt.line, stmt.end_line)
            leading = len(getattr(stmt.node, "leading_lines", ()))
            self._report_dynamic_endpoints(stmt.file or index.path, stmt.code, stmt.line - leading)
            node, registrations = self._transform(stmt, module_id)
            target_path = self._path(module_id)
            if "getLogger(__name__)" in stmt.code and module_id not in {P.WSGI, P.LEGACY} and not self.in_place:
                self.notes.append(
                    f"{loc}: logging.getLogger(__name__) is now named after {target_path}; logging "
                    "configuration that selects loggers by name needs the new name"
                )
            if "__file__" in stmt.code and module_id != P.WSGI and not self.in_place:
                self.notes.append(
                    f"{loc}: reads __file__, which is now {target_path}: check the paths computed from it "
                    "(data files, databases, upload folders)"
                )
            moves.append(Move(stmt.name, stmt.kind, loc, target_path, placement.domain.get(stmt.index), placement.reason.get(stmt.index, "")))
            if module_id == P.LEGACY:
                self.kept.append(KeptAsIs(loc, stmt.unsafe, target_path))
                if self.app in stmt.top_uses or stmt.keep_app:
                    if not legacy_register:
                        create_body.append(cst.parse_statement(f"register_legacy({self.app})\n"))
                    legacy_register.append(node)
                else:
                    mod = self._module(P.LEGACY)
                    mod.nodes.append(node)
                continue
            if module_id == P.WSGI:
                wsgi_tail.append(node)
                continue
            if module_id == P.INIT:
                create_body.append(node)
                if stmt.kind == "app":
                    app_seen = True
                    config_insert_at = len(create_body)
                elif app_seen and config_insert_at == len(create_body) - 1 and self._configures_app(stmt.node):
                    config_insert_at = len(create_body)
                continue
            if module_id == P.EXTENSIONS:
                self._extension(stmt, node, create_body, stmt.name in app_value_outside)
                continue
            domain = P.domain_of_module(module_id)
            if module_id.endswith(".routes") and stmt.kind in {"route", "url_rule"} and domain not in registered_domains:
                registered_domains.append(domain or "")
                create_body.append(cst.parse_statement(f"{self.app}.register_blueprint({domain}_bp)\n"))
            mod = self._module(module_id)
            mod.nodes.append(node)
            for func_name, decorator in registrations[::-1]:
                create_body.append(cst.parse_statement(f"{decorator}({func_name})\n"))

        if config_insert_at is not None:
            param = self.config_param
            override = cst.parse_module(
                f"if isinstance({param}, dict):\n"
                f"    {self.app}.config.update({param})\n"
                f"elif {param} is not None:\n"
                f"    {self.app}.config.from_object({param})\n"
            ).body[0]
            create_body.insert(config_insert_at, override)
        for domain in registered_domains:
            routes = self._module(f"{domain}.routes")
            routes.prelude.append(f'{self.bp_var} = Blueprint("{domain}", __name__)\n')
        files = self._render(create_body, legacy_register, wsgi_tail, registered_domains)
        renames = tuple(EndpointRename(old, new) for old, new in sorted(placement.renames.items()))
        blocking = self._blocking_shared()
        plan = ExtractionPlan(
            package=self.package,
            source=index.path,
            domains=tuple(placement.domains),
            moves=tuple(moves),
            renames=renames,
            kept=tuple(self.kept),
            copied=tuple((c.old, self._kernel_path(c.relpath)) for c in self.project.copies) if not self.in_place else (),
            blocking_shared=blocking,
            notes=tuple(self.notes),
        )
        return plan, files

    def _kernel_path(self, relpath: str) -> str:
        return f"{self.package}/{KERNEL}/{relpath}"

    def _path(self, module_id: str) -> str:
        if module_id == P.WSGI:
            return "wsgi.py"
        if module_id == P.INIT:
            return f"{self.package}/__init__.py"
        return f"{self.package}/{module_id.replace('.', '/')}.py"

    def _app_values_used_outside(self) -> set[str]:
        out = set()
        for stmt in self.index.statements:
            if stmt.kind != "app_value":
                continue
            for user in self.placement.users.get(stmt.index, ()):
                if self.placement.module.get(user) not in {P.INIT, P.WSGI}:
                    out.add(stmt.name)
        return out

    def _extension(self, stmt: Statement, node: cst.BaseStatement, create_body: list[cst.BaseStatement], proxied: bool) -> None:
        mod = self._module(P.EXTENSIONS)
        assert isinstance(node, cst.SimpleStatementLine)
        small = node.body[0]
        assert isinstance(small, (cst.Assign, cst.AnnAssign))
        value = small.value
        name = stmt.name
        if stmt.kind == "extension":
            assert isinstance(value, cst.Call)
            args = [
                a
                for i, a in enumerate(value.args)
                if not (isinstance(a.value, cst.Name) and a.value.value == self.app and (i == 0 or (a.keyword and a.keyword.value == "app")))
            ]
            if args:
                args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                self.notes.append(
                    f"{stmt.file or self.index.path}:{stmt.line}: {name} is created with options besides the app; "
                    "check that its init_app() honours options given to the constructor"
                )
            unbound = node.with_changes(body=[small.with_changes(value=value.with_changes(args=args))])
            mod.nodes.append(unbound)
            create_body.append(cst.parse_statement(f"{name}.init_app({self.app})\n"))
        elif proxied:
            key = f"{self.package}.{name}"
            proxy = cst.parse_statement(f'{name} = LocalProxy(lambda: current_app.extensions["{key}"])\n')
            comment = cst.EmptyLine(comment=cst.Comment(f"# built by create_app() from the app's config: {stmt.file or self.index.path}:{stmt.line}"))
            mod.nodes.append(proxy.with_changes(leading_lines=[comment]))
            target = cst.parse_expression(f'{self.app}.extensions["{key}"]')
            assert isinstance(target, cst.Subscript) and value is not None
            assign = cst.Assign(targets=[cst.AssignTarget(target=target)], value=value)
            create_body.append(node.with_changes(body=[assign]))
        else:
            create_body.append(node)

    def _blocking_shared(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        out = []
        for stmt in self.index.statements:
            if self.placement.module.get(stmt.index) != P.SHARED:
                continue
            domains = sorted(
                {P.domain_of_module(self.placement.module.get(u, "")) or "" for u in self.placement.users.get(stmt.index, ())} - {""}
            )
            if len(domains) > 1:
                out.append((stmt.name, tuple(domains)))
        return tuple(out)

    # -- rendering ----------------------------------------------------------------------------

    def _definer(self) -> dict[str, str]:
        definer: dict[str, str] = {}
        for module_id, mod in self.modules.items():
            for node in mod.nodes:
                defined, _, _, _ = names_of(_code(node))
                for name in defined:
                    definer[name] = module_id
        for domain in self.placement.domains:
            if f"{domain}.routes" in self.modules and self.modules[f"{domain}.routes"].prelude:
                definer[f"{domain}_bp"] = f"{domain}.routes"
        return definer

    def _render(
        self,
        create_body: list[cst.BaseStatement],
        legacy_register: list[cst.BaseStatement],
        wsgi_tail: list[cst.BaseStatement],
        registered: list[str],
    ) -> list[GeneratedFile]:
        files: list[GeneratedFile] = []
        futures = tuple(self.index.future_imports)
        if legacy_register:
            func = self._function("register_legacy", legacy_register, f"Register what {self.index.path} registered in ways extract cannot move.")
            self._module(P.LEGACY).nodes.append(func)
        definer = self._definer()
        sources = ImportSources(self.index, self.package, self.mapping, definer)
        init_imports_extra: dict[str, str] = {f"{d}_bp": f"{d}.routes" for d in registered}
        for module_id in sorted(self.modules):
            mod = self.modules[module_id]
            body = render_body(mod.nodes)
            needed: set[str] = set()
            defined: set[str] = set()
            for node in mod.nodes:
                d, used, _, _ = names_of(_code(node))
                defined |= d
                needed |= used
            for line in mod.prelude:
                d, used, _, _ = names_of(line)
                defined |= d
                needed |= used
            needed -= defined
            imports, unresolved = build_imports(sources, module_id, needed, futures=futures)
            self._note_unresolved(module_id, unresolved)
            prelude = "".join(mod.prelude)
            text = _docstring(mod.docstring) + "\n" + imports
            if prelude:
                text += "\n" + prelude
            text += body
            files.append(GeneratedFile(self._path(module_id), text))
        # package __init__ files of domains and the kernel
        for domain in self.placement.domains:
            files.append(GeneratedFile(f"{self.package}/{domain}/__init__.py", _docstring(f"The {domain} domain.")))
        if P.SHARED in self.modules or self.project.copies:
            if not any(c.relpath == "__init__.py" for c in self.project.copies):
                files.append(GeneratedFile(f"{self.package}/{KERNEL}/__init__.py", _docstring("The shared kernel: code used by several domains.")))
        files.append(self._render_init(create_body, sources, registered, definer, init_imports_extra))
        if not self.in_place:
            files.append(self._render_wsgi(wsgi_tail, sources))
            files.extend(self._copies(definer))
            files.extend(self._resources())
            files.extend(self._config_files())
        return sorted(files, key=lambda f: f.path)

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

    def _render_init(
        self,
        body: list[cst.BaseStatement],
        sources: ImportSources,
        registered: list[str],
        definer: dict[str, str],
        extra: dict[str, str],
    ) -> GeneratedFile:
        doc = f"Build the app: {self.index.path}'s set-up, extensions, hooks and blueprints, in its order."
        blueprints: dict[str, set[tuple[str, str | None]]] = {
            f".{d}.routes": {(self.bp_var, f"{d}_bp")} for d in registered
        }
        source_module = self._create_app_source(definer)
        if source_module is not None:
            # the monolith has its own create_app: import it under another name here
            alias = "monolith_create_app"
            body = [visit_statement(node, _RenameName("create_app", alias)) for node in body]
            blueprints.setdefault(source_module, set()).add(("create_app", alias))
            self.notes.append(f"{self.index.path} has its own create_app; the generated factory calls it as {alias}")
        body = [*body, cst.parse_statement(f"return {self.app}\n")]
        func = self._function("create_app", body, doc)
        template = cst.parse_statement(f"def f({self.config_param}=None): pass")
        assert isinstance(template, cst.FunctionDef)
        func = func.with_changes(params=template.params)
        code = _code(func)
        defined, used, _, _ = names_of(code)
        needed = used - {self.config_param}
        # names create_app binds locally are not imports
        local = set()
        table_locals = _function_locals(code)
        local |= table_locals
        needed -= local
        needed -= set(extra) | {"monolith_create_app"}
        if self.placement.module and any(m == P.LEGACY for m in self.placement.module.values()):
            sources.definer.setdefault("register_legacy", P.LEGACY)
        imports, unresolved = build_imports(
            sources, P.INIT, needed - {"create_app"}, futures=self.index.future_imports, extra_relative=blueprints
        )
        self._note_unresolved(P.INIT, unresolved)
        # modules with import-time side effects that nothing imports (e.g. extension callbacks)
        side = self._unimported_modules(definer, needed)
        side_lines = "".join(
            f"from . import {m.split('.')[-1]}  # noqa: F401  (registers on import)\n" if "." not in m
            else f"from .{m.rsplit('.', 1)[0]} import {m.rsplit('.', 1)[1]}  # noqa: F401  (registers on import)\n"
            for m in side
        )
        docstring = _docstring(
            f"{self.package}: {self.index.path} as a package, generated by decompose extract.\n\n"
            "create_app() is the app factory; each domain is a blueprint with its routes and services,\n"
            f"and {KERNEL}/ holds what several domains use."
        )
        text = docstring + "\n" + imports + (side_lines if side_lines else "") + "\n\n" + code
        return GeneratedFile(f"{self.package}/__init__.py", text)

    def _create_app_source(self, definer: dict[str, str]) -> str | None:
        """Where the monolith's own ``create_app`` comes from (for an aliased import), if any."""
        if "create_app" in definer:
            return relative_from(self.package, P.INIT, f"{self.package}.{definer['create_app']}")
        for stmt in self.index.statements:
            if stmt.kind != "import" or "create_app" not in stmt.defines:
                continue
            if not isinstance(stmt.node, cst.SimpleStatementLine):
                return None
            for small in stmt.node.body:
                if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                    if any(dotted(a.name) == "create_app" and a.asname is None for a in small.names):
                        absolute = absolute_module(self.index, small)
                        new = map_module(self.mapping, absolute)
                        return relative_from(self.package, P.INIT, new) if new else absolute
        return None

    def _unimported_modules(self, definer: dict[str, str], init_needed: set[str]) -> list[str]:
        """Generated modules with decorators that register at import, not reachable from __init__."""
        reach: dict[str, set[str]] = {}
        for module_id, mod in self.modules.items():
            deps = set()
            for node in mod.nodes:
                _, used, _, _ = names_of(_code(node))
                deps |= {definer[n] for n in used if n in definer}
            reach[module_id] = deps - {module_id}
        seen: set[str] = set()
        stack = sorted({definer[n] for n in init_needed if n in definer} | {m for m in self.modules if self.modules[m].prelude})
        while stack:
            m = stack.pop()
            if m in seen:
                continue
            seen.add(m)
            stack.extend(sorted(reach.get(m, ())))
        out = []
        for module_id, mod in sorted(self.modules.items()):
            if module_id in seen:
                continue
            if any(getattr(n, "decorators", ()) for n in mod.nodes):
                out.append(module_id)
        return out

    def _render_wsgi(self, tail: list[cst.BaseStatement], sources: ImportSources) -> GeneratedFile:
        needed: set[str] = set()
        for node in tail:
            _, used, _, _ = names_of(_code(node))
            needed |= used
        needed -= {self.app}
        imports, unresolved = build_imports(sources, "__init__", needed)
        doc = _docstring(
            "WSGI entry point: `gunicorn --chdir DIR wsgi:app`, or `DIR.wsgi:app` from DIR's parent.\n\n"
            "The package imports itself relatively, so it works under both names.\n"
        )
        head = (
            "if __package__:\n"
            f"    from .{self.package} import create_app\n"
            "else:  # a top-level module: gunicorn --chdir DIR, or python DIR/wsgi.py\n"
            f"    from {self.package} import create_app\n"
        )
        made = f"\n{self.app} = create_app()\n"
        if self.app != "app":
            made += f"app = {self.app}  # `gunicorn wsgi:app` works too\n"
        text = doc + "\n" + (imports + "\n" if imports else "") + head + made + render_body(tail).replace("\n\n\n", "\n\n", 1) if tail else doc + "\n" + head + made
        return GeneratedFile("wsgi.py", text)

    def _copies(self, definer: dict[str, str]) -> list[GeneratedFile]:
        out = []
        mono = import_name(self.project)
        for copy in self.project.copies:
            text = copy.source.read_text(encoding="utf-8")
            new_module = self.mapping.get(copy.old, "")
            is_pkg = copy.relpath.endswith("__init__.py")
            package = new_module if is_pkg else new_module.rpartition(".")[0]
            imports_monolith = mono.rpartition(".")[2] in text
            if imports_monolith or any(old in text for old in self.mapping) or (self._renamer and self._mentions_endpoint(text)):
                module = cst.parse_module(text)
                if imports_monolith:
                    rewrite = _MonolithImports(mono, copy.old, is_pkg, definer, self.package, package)
                    module = module.visit(rewrite)
                    self.notes.extend(
                        f"{copy.source.relative_to(self.project.root).as_posix()}: imports `{name}` from "
                        f"{self.index.path}, which the package does not define at module level; left as written"
                        for name in rewrite.missing
                    )
                module = module.visit(RewriteModuleImportsTransformer(mapping=self.mapping, package=package))
                if self._renamer is not None:
                    module = module.visit(self.renamer_for(module.code))
                self._report_dynamic_endpoints(copy.source.relative_to(self.project.root).as_posix(), module.code, 1)
                text = module.code
            out.append(GeneratedFile(self._kernel_path(copy.relpath), text))
        return out

    def _config_files(self) -> list[GeneratedFile]:
        """Files the set-up loads relative to the app's root (``app.config.from_pyfile("x.cfg")``):
        copied beside the package's ``__init__`` so the new root path finds them."""
        out = []
        base = self.project.app_file.parent
        pattern = re.compile(r"""\.from_(?:pyfile|file)\(\s*(['"])([^'"]+)\1""")
        for stmt in self.index.statements:
            if self.placement.module.get(stmt.index) != P.INIT:
                continue
            for match in pattern.finditer(stmt.code):
                name = match.group(2)
                source = base / name
                where = f"{stmt.file or self.index.path}:{stmt.line}"
                if name.startswith("/") or ".." in name.split("/"):
                    continue
                if source.is_file():
                    out.append(GeneratedFile(f"{self.package}/{name}", source.read_text(encoding="utf-8")))
                    self.notes.append(f"{where}: {name} is loaded relative to the app's root; copied to {self.package}/{name}")
                else:
                    self.notes.append(f"{where}: loads {name} relative to the app's root, which is now {self.package}/; it is not beside {self.index.path}; if the app needs it, put it there")
        return out

    def _resources(self) -> list[GeneratedFile]:
        out = []
        base = self.project.app_file.parent
        pattern = re.compile(r"""(url_for\(\s*)(['"])([^'"]+)\2""")

        def rename(match: re.Match[str]) -> str:
            new = self.placement.renames.get(match.group(3))
            return f"{match.group(1)}{match.group(2)}{new or match.group(3)}{match.group(2)}"

        comparison = re.compile(r"""(request\.endpoint\s*(?:==|!=)\s*)(['"])([^'"]+)\2""")
        reversed_comparison = re.compile(r"""(['"])([^'"]+)\1(\s*(?:==|!=)\s*request\.endpoint\b)""")
        dynamic = re.compile(r"""url_for\(\s*(?!['"\s])([^,)]*)""")

        def rename_cmp(match: re.Match[str]) -> str:
            new = self.placement.renames.get(match.group(3), match.group(3))
            return f"{match.group(1)}{match.group(2)}{new}{match.group(2)}"

        def rename_rcmp(match: re.Match[str]) -> str:
            new = self.placement.renames.get(match.group(2), match.group(2))
            return f"{match.group(1)}{new}{match.group(1)}{match.group(3)}"

        for name in self.project.resource_dirs:
            for path in sorted((base / name).rglob("*")):
                if not path.is_file() or "__pycache__" in path.parts:
                    continue
                rel = path.relative_to(base).as_posix()
                data = path.read_bytes()
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    out.append(GeneratedFile(f"{self.package}/{rel}", data))  # type: ignore[arg-type]
                    continue
                if name in self.project.template_dirs and self.placement.renames:
                    text = pattern.sub(rename, text)
                    text = comparison.sub(rename_cmp, text)
                    text = reversed_comparison.sub(rename_rcmp, text)
                    where = path.relative_to(self.project.root).as_posix()
                    for match in dynamic.finditer(text):
                        line = text.count("\n", 0, match.start()) + 1
                        self.notes.append(
                            f"{where}:{line}: url_for({match.group(1).strip()}): endpoint computed at run time; "
                            "rename it by hand to domain.x"
                        )
                out.append(GeneratedFile(f"{self.package}/{rel}", text))
        return out


class _FromObjectName(cst.CSTTransformer):
    """``config.from_object(__name__)`` -> ``config.from_object(__name__ + ".shared.helpers")``:
    the monolith's upper-case settings now live in the kernel (``__name__`` is the package)."""

    def __init__(self, suffix: str) -> None:
        super().__init__()
        self.suffix = suffix

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        func = updated_node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "from_object" and len(updated_node.args) == 1:
            arg = updated_node.args[0]
            if isinstance(arg.value, cst.Name) and arg.value.value == "__name__":
                value = cst.parse_expression(f'__name__ + "{self.suffix}"')
                return updated_node.with_changes(args=[arg.with_changes(value=value)])
        return updated_node


class _FlaskImportName(cst.CSTTransformer):
    """``Flask(__name__, ...)`` -> ``Flask(<expression>, ...)`` (see ``Generator._transform``)."""

    def __init__(self, expression: str) -> None:
        super().__init__()
        self.expression = cst.parse_expression(expression)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        name = dotted(updated_node.func) or ""
        if (name == "Flask" or name.endswith(".Flask")) and updated_node.args:
            first = updated_node.args[0]
            if first.keyword is None and isinstance(first.value, cst.Name) and first.value.value == "__name__":
                return updated_node.with_changes(args=[first.with_changes(value=self.expression), *updated_node.args[1:]])
        return updated_node


class _FromObjectString(cst.CSTTransformer):
    """``config.from_object("config.DevConfig")`` naming a project module that was copied into
    the kernel -> ``config.from_object(__name__ + ".shared.config.DevConfig")`` (works whatever
    name the package is imported under)."""

    def __init__(self, mapping: dict[str, str], package: str) -> None:
        super().__init__()
        self.mapping, self.package = mapping, package

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        func = updated_node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "from_object" and len(updated_node.args) == 1):
            return updated_node
        arg = updated_node.args[0]
        value = arg.value.evaluated_value if isinstance(arg.value, cst.SimpleString) else None
        if not isinstance(value, str) or "." not in value:
            return updated_node
        module, _, attr = value.rpartition(".")
        new = map_module(self.mapping, module)
        if new is None or not new.startswith(self.package + "."):
            return updated_node
        suffix = new[len(self.package):] + "." + attr
        return updated_node.with_changes(args=[arg.with_changes(value=cst.parse_expression(f'__name__ + "{suffix}"'))])


class _MonolithImports(cst.CSTTransformer):
    """In a copied project module: ``from <monolith> import db`` -> an import of the generated
    module that now defines ``db`` (one line per module), anywhere in the file."""

    def __init__(self, mono: str, module: str, is_pkg: bool, definer: dict[str, str], package: str, here: str) -> None:
        super().__init__()
        self.mono, self.module, self.is_pkg = mono, module, is_pkg
        self.definer, self.package, self.here = definer, package, here
        self.missing: list[str] = []

    def _target(self, node: cst.ImportFrom) -> str:
        level = len(node.relative)
        name = dotted(node.module) if node.module else None
        if not level:
            return name or ""
        base = self.module.split(".") if self.is_pkg else self.module.split(".")[:-1]
        if level > 1:
            base = base[: len(base) - (level - 1)]
        prefix = ".".join(base)
        return f"{prefix}.{name}" if name and prefix else (name or prefix)

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        small = updated_node.body[0] if len(updated_node.body) == 1 else None
        if not isinstance(small, cst.ImportFrom) or isinstance(small.names, cst.ImportStar):
            return updated_node
        if self._target(small) != self.mono:
            return updated_node
        by_module: dict[str, list[str]] = {}
        kept: list[cst.ImportAlias] = []
        for alias in small.names:
            name = alias.evaluated_name
            module_id = self.definer.get(name)
            if module_id is None:
                self.missing.append(name)
                kept.append(alias.with_changes(comma=cst.MaybeSentinel.DEFAULT))
                continue
            level, rest = relative_module(self.here, f"{self.package}.{module_id}" if module_id != P.INIT else self.package)
            text = alias.evaluated_name + (f" as {alias.evaluated_alias}" if alias.evaluated_alias else "")
            by_module.setdefault("." * level + rest, []).append(text)
        lines: list[cst.BaseStatement] = []
        for target, names in sorted(by_module.items()):
            line = cst.parse_statement(f"from {target} import {', '.join(names)}\n")
            lines.append(line)
        if kept:
            lines.append(updated_node.with_changes(body=[small.with_changes(names=kept)]))
        if not lines:
            return updated_node
        lines[0] = lines[0].with_changes(leading_lines=updated_node.leading_lines)
        return cst.FlattenSentinel(lines)


class _RenameName(cst.CSTTransformer):
    def __init__(self, old: str, new: str) -> None:
        super().__init__()
        self.old, self.new = old, new

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        return updated_node.with_changes(value=self.new) if updated_node.value == self.old else updated_node


def _strip_first_blank(node: cst.BaseStatement, position: int) -> cst.BaseStatement:
    clean = _strip_leading_blank(node)
    # blank lines inside a function body carry no indentation (no trailing whitespace)
    lines = [
        line.with_changes(indent=False, whitespace=cst.SimpleWhitespace("")) if line.comment is None else line
        for line in getattr(clean, "leading_lines", ())
    ]
    clean = clean.with_changes(leading_lines=lines)
    if _is_def(node) or any(line.comment for line in getattr(clean, "leading_lines", ())):
        lines = [cst.EmptyLine(indent=False), *getattr(clean, "leading_lines", ())]
        return clean.with_changes(leading_lines=lines)
    return clean


def _function_locals(code: str) -> set[str]:
    import symtable

    table = symtable.symtable(code, "<create_app>", "exec")
    out: set[str] = set()
    for child in table.get_children():
        for sym in child.get_symbols():
            if sym.is_local():
                out.add(sym.get_name())
    return out


def generate(
    index: SourceIndex,
    project: Project,
    placement: P.Placement,
    *,
    package: str = "webapp",
    in_place: bool = False,
) -> tuple[ExtractionPlan, list[GeneratedFile]]:
    return Generator(index, project, placement, package=package, in_place=in_place).build()


__all__ = ["Path", "generate"]
