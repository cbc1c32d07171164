"""The unit extraction reasons about: one top-level statement, and the index of a monolith's statements."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst


@dataclass
class Statement:
    """One top-level statement, with its names and its role in the app."""

    index: int
    node: cst.BaseStatement
    line: int
    end_line: int
    defines: frozenset[str]
    uses: frozenset[str]  # module-scope names read anywhere in the statement
    top_uses: frozenset[str]  # those read while the statement itself runs (import time)
    rebinds: frozenset[str]  # module names rebound through ``global`` in a nested scope
    code: str = ""  # the statement's source, leading comments included
    kind: str = "state"
    name: str = ""
    endpoints: tuple[str, ...] = ()  # endpoints this statement registers on the app
    view: str = ""  # url_rule: the module-level name of the view it registers
    view_is_name: bool = False  # url_rule: view_func is a plain name (not X.as_view(...))
    explicit_endpoint: bool = False  # url_rule: the endpoint is given, not taken from the view
    unsafe: str = ""  # why it cannot be moved, when it cannot
    registrations: tuple[cst.Decorator, ...] = ()  # app decorators turned into create_app calls
    subject: str = ""  # a statement that only mutates something: the name it mutates
    notes: list[str] = field(default_factory=list)
    file: str = ""  # set when the statement comes from another module of the project (spliced)
    keep_app: bool = False  # kept inside register_legacy(app): it needs the real app, not current_app

    @property
    def is_import(self) -> bool:
        return self.kind == "import"


@dataclass
class SourceIndex:
    """A parsed monolith: its statements in order, and the facts extraction needs about them."""

    path: str  # relative to the project root, POSIX
    module_name: str  # dotted import name, e.g. legacy.app
    module: cst.Module
    statements: list[Statement]
    app_name: str
    blueprints: dict[str, str]  # module-level Blueprint variable -> blueprint name
    future_imports: tuple[str, ...] = ()
    factory_only: str = ""  # the module defines only an app factory: its name (see ``only_factory``)
    notes: list[str] = field(default_factory=list)  # what indexing the project found worth telling

    def providers(self) -> dict[str, list[Statement]]:
        out: dict[str, list[Statement]] = {}
        for stmt in self.statements:
            for name in stmt.defines:
                out.setdefault(name, []).append(stmt)
        return out


