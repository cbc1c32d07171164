"""Render the package: every generated file's text, from the index and the placement.

Pure: no file system writes (copied project modules and templates are read). Statements are
moved as libcst nodes, so comments, docstrings and formatting come along; the only rewrites are
the codemods in ``decompose.codemods``, applied where the move requires them.

The generator is layered: ``gen_support`` (module accumulator, libcst helpers and transformers),
``gen_base`` (state, per-statement transformation, paths), ``app_files`` (create_app, wsgi.py,
copied/config/resource files) and, here, assembly of the domain modules and extensions.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from decompose.extract import plan as P
from decompose.extract.app_files import AppFiles
from decompose.extract.gen_support import KERNEL, _code, _docstring, names_of, render_body
from decompose.extract.imports import ImportSources, build_imports
from decompose.extract.project import Project
from decompose.extract.source import SourceIndex, Statement
from decompose.model.extraction import EndpointRename, ExtractionPlan, GeneratedFile, KeptAsIs, Move
from decompose.model.inventory import Location


class Generator(AppFiles):
    """Builds every file of the output from one placement."""

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
