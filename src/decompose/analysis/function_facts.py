"""What the function walker records: the vocabulary it matches (query methods, session
writes, I/O libraries) and the facts it collects per function (calls, queries, writes, I/O).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from decompose.analysis.definitions import FuncDef

TypeRef = tuple[str, str]  # (kind, class or model qualname)

#: terminal query methods that run SQL
EXECUTING = frozenset(
    {"all", "first", "one", "one_or_none", "scalar", "scalars", "get", "get_or_404", "first_or_404",
     "one_or_404", "count", "paginate", "delete", "update", "exists", "execute", "scalar_one",
     "scalar_one_or_none", "fetchall", "fetchone", "__iter__"}
)
SINGLE = frozenset({"first", "one", "one_or_none", "get", "get_or_404", "first_or_404", "one_or_404",
                    "scalar_one", "scalar_one_or_none", "scalar"})
QUERY_BUILDERS = frozenset({"filter", "filter_by", "where", "order_by", "limit", "offset", "join",
                            "outerjoin", "options", "group_by", "having", "distinct", "with_entities",
                            "select_from", "correlate", "execution_options", "params", "union",
                            "add_columns", "join_from"})
FILTERING = frozenset({"filter", "filter_by", "where", "order_by"})
LIKE_OPS = frozenset({"like", "ilike", "contains", "startswith", "endswith", "icontains", "istartswith", "iendswith", "match", "regexp_match"})
EAGER = frozenset({"joinedload", "selectinload", "subqueryload", "contains_eager", "immediateload"})
SESSION_WRITES = frozenset({"add", "add_all", "delete", "merge", "bulk_save_objects",
                            "bulk_insert_mappings", "bulk_update_mappings"})
SESSION_COMMITS = frozenset({"commit", "flush"})
STATEMENTS = {"select": "read", "update": "write", "delete": "write", "insert": "write"}

#: External I/O: qualified-name prefix -> (label, timeout policy, calls that do I/O or None = all)
IO_RULES: tuple[tuple[str, str, str, frozenset[str] | None], ...] = (
    ("requests.Session", "http", "kw", frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "send"})),
    ("requests", "http", "kw", frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})),
    ("httpx.Client", "http", "default:5s", frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream"})),
    ("httpx.AsyncClient", "http", "default:5s", frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream"})),
    ("httpx", "http", "default:5s", frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "stream"})),
    ("urllib.request", "http", "urlopen", frozenset({"urlopen"})),
    ("urllib3.PoolManager", "http", "kw", frozenset({"request", "urlopen"})),
    ("http.client.HTTPConnection", "http", "kw", frozenset({"request", "getresponse"})),
    ("http.client.HTTPSConnection", "http", "kw", frozenset({"request", "getresponse"})),
    ("aiohttp.ClientSession", "http", "kw", frozenset({"get", "post", "put", "patch", "delete", "request"})),
    ("feedparser", "http", "none", frozenset({"parse"})),
    ("openai.OpenAI", "openai", "default:600s", None),
    ("openai", "openai", "default:600s", None),
    ("anthropic", "llm", "default:600s", None),
    ("smtplib.SMTP_SSL", "smtp", "kw", None),
    ("smtplib.SMTP", "smtp", "kw", None),
    ("boto3", "aws", "botocore", None),
    ("stripe", "http", "default", None),
    ("twilio", "http", "default", None),
    ("sendgrid", "http", "default", None),
    ("slack_sdk", "http", "default", None),
    ("socket", "socket", "kw", frozenset({"create_connection", "getaddrinfo", "gethostbyname"})),
    ("subprocess", "subprocess", "kw", frozenset({"run", "call", "check_call", "check_output", "Popen"})),
    ("redis.Redis", "redis", "datastore", None),
    ("redis.StrictRedis", "redis", "datastore", None),
)
#: labels that are a network dependency worth a sync_external_call finding
NETWORK_LABELS = frozenset({"http", "openai", "llm", "smtp", "aws", "socket"})
MUTATORS = frozenset({"append", "extend", "insert", "add", "update", "pop", "popitem", "remove",
                      "discard", "clear", "setdefault", "appendleft", "popleft", "sort", "reverse"})
REQUEST_DATA = {"flask.request.json", "flask.request.form", "flask.request.args", "flask.request.values",
                "flask.request.files", "flask.request.get_json"}


@dataclass(frozen=True)
class Loop:
    line: int
    source: str  # rows | relationship | other
    model: str | None = None
    names: frozenset[str] = frozenset()
    eager: frozenset[str] = frozenset()
    text: str = ""


@dataclass
class QuerySite:
    model: str | None
    terminal: str
    node: ast.AST
    loops: tuple[Loop, ...]
    executes: bool
    write: bool = False
    columns: list[tuple[str, str, str]] = field(default_factory=list)  # (model, column, how)
    eager: frozenset[str] = frozenset()
    calls: list[int] = field(default_factory=list)  # ids of the Call nodes of the chain
    via: tuple[str, str] | None = None  # (model, relationship) of a lazy="dynamic" query
    statement: bool = False  # a select()/update()/… statement built, not yet executed


@dataclass
class CallSite:
    target: str
    node: ast.AST
    loops: tuple[Loop, ...]
    reference: bool = False


@dataclass
class IoSite:
    label: str
    callee: str
    node: ast.Call
    loops: tuple[Loop, ...]
    timeout: str  # yes | no | default …


@dataclass
class WriteSite:
    model: str | None
    how: str  # add | delete | merge | commit | mutation | bulk | statement | raw_sql
    node: ast.AST


@dataclass
class RelRead:
    model: str  # model the attribute belongs to
    attr: str
    target: str
    lazy: str
    node: ast.AST
    loops: tuple[Loop, ...]
    var: str
    via: str = ""  # "method to_dict" when read inside a model method


@dataclass
class Facts:
    func: FuncDef
    calls: list[CallSite] = field(default_factory=list)
    queries: list[QuerySite] = field(default_factory=list)
    writes: list[WriteSite] = field(default_factory=list)
    io: list[IoSite] = field(default_factory=list)
    globals: list[tuple[str, ast.AST]] = field(default_factory=list)
    rel_reads: list[RelRead] = field(default_factory=list)
    raw_sql: list[tuple[str, ast.AST]] = field(default_factory=list)
    other_data: list[tuple[str, ast.AST]] = field(default_factory=list)  # (layer, node)
    request_keys: list[str] = field(default_factory=list)
    mutations: list[tuple[str, ast.AST]] = field(default_factory=list)  # (global, node)
