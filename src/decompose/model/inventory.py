"""What analyze finds in a Flask project: routes, functions, models, globals, imports, edges.

All paths are POSIX paths relative to the project root; all line numbers are 1-based and come
from libcst positions of the original source.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Location:
    """A span in a source file: ``file:line`` for humans, ``end_line`` for sizes and moves."""

    file: str
    line: int
    end_line: int = 0
    column: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Route:
    """One URL rule as Flask would register it.

    ``methods`` follow Flask's semantics: the declared methods plus ``HEAD`` when ``GET`` is
    there and ``OPTIONS`` unless the view disables automatic options; sorted.
    ``handler`` is the qualified name of the view (``module.function`` or ``module.Class`` for a
    ``MethodView``). ``registration`` is where the rule is attached (the decorator or the
    ``add_url_rule`` call); ``location`` is the span of the handler itself.
    """

    rule: str
    methods: tuple[str, ...]
    endpoint: str
    handler: str
    location: Location
    registration: Location
    kind: str = "decorator"  # decorator | add_url_rule | method_view | blueprint
    blueprint: str | None = None  # blueprint name when registered on a Blueprint object
    url_prefix: str | None = None
    decorators: tuple[str, ...] = ()  # dotted names of the handler's other decorators, in order
    auth: tuple[str, ...] = ()  # the subset of decorators that enforce authentication
    converters: tuple[tuple[str, str], ...] = ()  # (argument, converter) from the rule
    defaults: tuple[tuple[str, str], ...] = ()
    strict_slashes: bool | None = None
    domain: str | None = None
    # What the handler reaches, transitively through the project's helpers (filled by analyze).
    helpers: tuple[str, ...] = ()  # qualified names of project functions reachable from it
    reads_models: tuple[str, ...] = ()
    writes_models: tuple[str, ...] = ()
    external_io: tuple[str, ...] = ()
    app: str | None = None  # the app object it ends up on (qualified name)

    @property
    def size(self) -> int:
        return max(0, self.location.end_line - self.location.line + 1)


@dataclass(frozen=True)
class FunctionInfo:
    """A module-level function or class (views, helpers, services) and what it calls."""

    qualname: str  # module.name
    name: str
    module: str
    location: Location
    kind: str = "function"  # function | class | method_view
    is_view: bool = False
    decorators: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()  # qualified names of project functions it calls (direct)
    reads_models: tuple[str, ...] = ()
    writes_models: tuple[str, ...] = ()
    globals_used: tuple[str, ...] = ()
    external_io: tuple[str, ...] = ()  # e.g. "requests.get", "openai", "smtplib"
    request_keys: tuple[str, ...] = ()  # keys read from request.get_json()/form/args
    docstring: str | None = None
    parent: str | None = None  # enclosing class or function for methods / nested views


@dataclass(frozen=True)
class ModelInfo:
    """A SQLAlchemy / Flask-SQLAlchemy model class."""

    name: str
    qualname: str
    table: str
    location: Location
    columns: tuple[str, ...] = ()
    indexed_columns: tuple[str, ...] = ()  # primary keys, index=True, unique=True, Index(...)
    foreign_keys: tuple[tuple[str, str], ...] = ()  # (column, "table.column")
    relationships: tuple[tuple[str, str, str], ...] = ()  # (attribute, target model, lazy)
    # Leading columns of composite indexes count in indexed_columns; the full column lists:
    composite_indexes: tuple[tuple[str, ...], ...] = ()
    module: str = ""


@dataclass(frozen=True)
class GlobalInfo:
    """A module-level assignment: the app, extensions, clients, config, mutable state."""

    name: str
    module: str
    location: Location
    kind: str = "value"  # app | blueprint | extension | client | config | state | constant | value
    value: str = ""  # source text of the right-hand side, shortened


@dataclass(frozen=True)
class ImportInfo:
    """An import statement as written, with where it is (module level, function, try/except)."""

    module: str  # the module imported from ("" for ``import x``)
    names: tuple[tuple[str, str | None], ...]  # (name, alias)
    location: Location
    scope: str = "module"  # module | function | try | conditional
    relative_level: int = 0


@dataclass(frozen=True)
class Hook:
    """A registration on the app that is not a route: request hooks, error handlers, CLI, …"""

    kind: str  # before_request | after_request | teardown_request | teardown_appcontext |
    # errorhandler | context_processor | template_filter | template_global | template_test |
    # url_value_preprocessor | url_defaults | cli_command | before_first_request | shell_context
    handler: str
    location: Location
    argument: str | None = None  # e.g. the status code or exception for errorhandler
    blueprint: str | None = None


@dataclass(frozen=True)
class Edge:
    """One edge of the dependency graph, with the line that creates it.

    ``kind`` is one of: calls, reads, writes, uses_global, external_io, raw_sql.
    ``source`` is a qualified function name; ``target`` a qualified function, model name,
    global name or I/O label.
    """

    source: str
    target: str
    kind: str
    location: Location
    detail: str = ""


@dataclass(frozen=True)
class Unhandled:
    """Code analyze saw but did not understand; reported, never guessed."""

    location: Location
    reason: str
    code: str = ""


@dataclass(frozen=True)
class Inventory:
    """Everything analyze found, in a deterministic order (by file, then line)."""

    root: str
    entry: str  # the module holding the app, relative to root
    app_name: str  # the variable the Flask app is bound to in the entry module
    files: tuple[str, ...] = ()
    source_hash: str = ""
    routes: tuple[Route, ...] = ()
    functions: tuple[FunctionInfo, ...] = ()
    models: tuple[ModelInfo, ...] = ()
    globals: tuple[GlobalInfo, ...] = ()
    imports: tuple[ImportInfo, ...] = ()
    hooks: tuple[Hook, ...] = ()
    edges: tuple[Edge, ...] = ()
    unhandled: tuple[Unhandled, ...] = ()
    data_layer: str = "sqlalchemy"  # sqlalchemy | flask_sqlalchemy | unknown | none
    notes: tuple[str, ...] = field(default_factory=tuple)
    # Rules Flask adds by itself (``/static/<path:filename>`` for the app and for blueprints
    # with a static folder); kept apart so that commands moving handlers never see them.
    static_routes: tuple[Route, ...] = ()
    app_factory: str | None = None  # qualified name of create_app() when the app is made there
    modules: tuple[tuple[str, str], ...] = ()  # (dotted module name, file) of every module read
