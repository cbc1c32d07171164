"""Scenarios: ordered requests with captures, loaded from YAML, JSON or recorded JSON lines.

File format (YAML shown; JSON is the same structure)::

    version: 1
    variables: {user: demo}          # optional starting values for {{...}}
    scenarios:
      - name: login and read
        headers: {Authorization: "Bearer {{token}}"}   # sent with every step once defined
        steps:
          - name: login
            method: POST
            path: /api/auth/login
            json: {username: "{{user}}", password: demo123}
            capture: {token: $.access_token}
          - path: /api/words/{{word_id}}

A field that is not known, or has the wrong type, is reported with its file and line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from decompose.errors import InputError
from decompose.verify import jsonpath

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
STEP_FIELDS = ("name", "method", "path", "query", "headers", "json", "form", "data", "capture", "route")
SCENARIO_FIELDS = ("name", "headers", "steps")
FILE_FIELDS = ("version", "variables", "scenarios")


class ScenarioError(InputError):
    """A scenario file that cannot be used; the message names file, line and field."""


@dataclass(frozen=True)
class Step:
    """One request. ``json``/``form``/``data`` are exclusive; ``capture`` maps a variable to a
    JSON path (``$.id``) or a header (``header:Location``)."""

    path: str
    method: str = "GET"
    name: str = ""
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    json: Any = None
    has_json: bool = False
    form: tuple[tuple[str, str], ...] | None = None
    data: str | None = None
    capture: tuple[tuple[str, str], ...] = ()
    route: str | None = None  # "METHOD rule" this step is meant to cover (informative)
    line: int = 0

    @property
    def label(self) -> str:
        return self.name or f"{self.method} {self.path}"


@dataclass(frozen=True)
class Scenario:
    name: str
    steps: tuple[Step, ...]
    headers: tuple[tuple[str, str], ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Corpus:
    scenarios: tuple[Scenario, ...]
    variables: tuple[tuple[str, Any], ...] = ()
    sources: tuple[str, ...] = field(default_factory=tuple)

    @property
    def step_count(self) -> int:
        return sum(len(s.steps) for s in self.scenarios)

    def __add__(self, other: Corpus) -> Corpus:
        return Corpus(
            self.scenarios + other.scenarios,
            self.variables + other.variables,
            self.sources + other.sources,
        )


# -- YAML with line numbers ------------------------------------------------------------------


class _Map(dict[str, Any]):
    line = 0
    key_lines: dict[str, int]


class _List(list[Any]):
    line = 0


class _LineLoader(yaml.SafeLoader):
    """A safe loader whose mappings and lists remember the (1-based) line they start on."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> _Map:  # type: ignore[override]
        result = _Map({str(k): v for k, v in super().construct_mapping(node, deep=True).items()})
        result.line = node.start_mark.line + 1
        result.key_lines = {
            str(self.construct_object(k)): k.start_mark.line + 1 for k, _ in node.value
        }
        return result

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> _List:
        result = _List(super().construct_sequence(node, deep=True))
        result.line = node.start_mark.line + 1
        return result


def _map(loader: _LineLoader, node: yaml.Node) -> _Map:
    assert isinstance(node, yaml.MappingNode)
    return loader.construct_mapping(node)


def _seq(loader: _LineLoader, node: yaml.Node) -> _List:
    assert isinstance(node, yaml.SequenceNode)
    return loader.construct_sequence(node)


_LineLoader.add_constructor("tag:yaml.org,2002:map", _map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _seq)


class _Reader:
    """Validates the loaded document and turns it into model objects."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, line: int, message: str) -> ScenarioError:
        return ScenarioError(f"{self.source}:{line}: {message}.")

    def line_of(self, mapping: Any, key: str | None = None) -> int:
        key_lines = getattr(mapping, "key_lines", {})
        if key is not None and key in key_lines:
            return int(key_lines[key])
        return getattr(mapping, "line", 0)

    def mapping(self, value: Any, where: str, line: int) -> _Map:
        if not isinstance(value, dict):
            raise self.fail(line, f"{where} must be a mapping, got {_type_name(value)}")
        return value if isinstance(value, _Map) else _Map(value)

    def check_fields(self, mapping: _Map, allowed: tuple[str, ...], where: str) -> None:
        for key in mapping:
            if key not in allowed:
                raise self.fail(
                    self.line_of(mapping, key),
                    f"unknown field {key!r} in {where}; expected one of {', '.join(allowed)}",
                )

    def string_pairs(self, owner: _Map, key: str, where: str) -> tuple[tuple[str, str], ...]:
        value = owner.get(key)
        if value is None:
            return ()
        line = self.line_of(owner, key)
        mapping = self.mapping(value, f"field {key!r} of {where}", line)
        pairs = []
        for name, item in mapping.items():
            if isinstance(item, (dict, list)):
                raise self.fail(
                    self.line_of(mapping, name),
                    f"field {key}.{name} of {where} must be a string or number, got {_type_name(item)}",
                )
            pairs.append((str(name), _scalar_text(item)))
        return tuple(pairs)

    def corpus(self, document: Any) -> Corpus:
        top = self.mapping(document, "the file", 1)
        if "scenarios" not in top and "steps" in top:  # a single scenario, written bare
            top = _Map({"scenarios": _List([top])})
            top.line = 1
            top.key_lines = {"scenarios": 1}
            top["scenarios"].line = 1
        self.check_fields(top, FILE_FIELDS, "the file")
        version = top.get("version", 1)
        if version != 1:
            raise self.fail(self.line_of(top, "version"), f"version {version!r} is not supported; use 1")
        variables = self.mapping(top.get("variables") or {}, "field 'variables'", self.line_of(top, "variables"))
        scenarios_value = top.get("scenarios")
        if not isinstance(scenarios_value, list) or not scenarios_value:
            raise self.fail(
                self.line_of(top, "scenarios") or 1,
                "field 'scenarios' must be a non-empty list of scenarios",
            )
        scenarios = []
        for number, raw in enumerate(scenarios_value, start=1):
            scenarios.append(self.scenario(raw, number, getattr(scenarios_value, "line", 1)))
        return Corpus(tuple(scenarios), tuple(variables.items()), (self.source,))

    def scenario(self, raw: Any, number: int, line: int) -> Scenario:
        where = f"scenario {number}"
        mapping = self.mapping(raw, where, getattr(raw, "line", line))
        self.check_fields(mapping, SCENARIO_FIELDS, where)
        name = str(mapping.get("name") or f"scenario {number}")
        where = f"scenario {name!r}"
        steps_value = mapping.get("steps")
        if not isinstance(steps_value, list) or not steps_value:
            raise self.fail(
                self.line_of(mapping, "steps") or mapping.line,
                f"field 'steps' of {where} must be a non-empty list of requests",
            )
        steps = tuple(
            self.step(raw_step, index, where, getattr(steps_value, "line", mapping.line))
            for index, raw_step in enumerate(steps_value, start=1)
        )
        headers = self.string_pairs(mapping, "headers", where)
        return Scenario(name=name, steps=steps, headers=headers, line=mapping.line)

    def step(self, raw: Any, index: int, scenario: str, line: int) -> Step:
        where = f"step {index} of {scenario}"
        mapping = self.mapping(raw, where, getattr(raw, "line", line))
        self.check_fields(mapping, STEP_FIELDS, where)
        path = mapping.get("path")
        if not isinstance(path, str) or not path.startswith("/"):
            raise self.fail(
                self.line_of(mapping, "path") or mapping.line,
                f"field 'path' of {where} must be a string starting with '/', got {path!r}",
            )
        method = str(mapping.get("method", "GET")).upper()
        if method not in METHODS:
            raise self.fail(
                self.line_of(mapping, "method"),
                f"field 'method' of {where} is {method!r}; use one of {', '.join(METHODS)}",
            )
        bodies = [k for k in ("json", "form", "data") if k in mapping]
        if len(bodies) > 1:
            raise self.fail(
                self.line_of(mapping, bodies[1]),
                f"{where} has both {bodies[0]!r} and {bodies[1]!r}; a request has one body",
            )
        data = mapping.get("data")
        if data is not None and not isinstance(data, str):
            raise self.fail(self.line_of(mapping, "data"), f"field 'data' of {where} must be a string")
        captures = self.string_pairs(mapping, "capture", where)
        for var, spec in captures:
            if not spec.lower().startswith("header:"):
                try:
                    jsonpath.parse(spec)
                except jsonpath.PathSyntaxError as exc:
                    capture_map = mapping["capture"]
                    raise self.fail(
                        self.line_of(capture_map, var), f"field capture.{var} of {where}: {exc}"
                    ) from None
        route = mapping.get("route")
        return Step(
            path=path,
            method=method,
            name=str(mapping.get("name") or ""),
            query=self.string_pairs(mapping, "query", where),
            headers=self.string_pairs(mapping, "headers", where),
            json=_plain(mapping.get("json")),
            has_json="json" in mapping,
            form=self.string_pairs(mapping, "form", where) if "form" in mapping else None,
            data=data,
            capture=captures,
            route=str(route) if route else None,
            line=mapping.line,
        )


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _type_name(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {value!r}"


def parse_text(text: str, source: str = "<scenarios>") -> Corpus:
    """Parse a YAML or JSON document (JSON is checked as JSON first, for its error positions)."""
    if source.endswith(".json"):
        try:
            json.loads(text)
        except ValueError as exc:
            line = getattr(exc, "lineno", 0)
            raise ScenarioError(f"{source}:{line}: not valid JSON: {getattr(exc, 'msg', exc)}.") from None
    try:
        document = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(f"{source}:{line}: not valid YAML: {problem}.") from None
    return _Reader(source).corpus(document)


def load(path: str | Path) -> Corpus:
    """Load one scenario file: ``.yaml``/``.yml``/``.json``, or ``.jsonl`` recorded traffic."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"Scenario file {path} does not exist.") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"Scenario file {path} is not UTF-8 text.") from None
    except OSError as exc:
        raise ScenarioError(f"Scenario file {path} cannot be read: {exc.strerror}.") from None
    if path.suffix == ".jsonl":
        from decompose.verify.record import corpus_from_records

        return corpus_from_records(text, str(path))
    return parse_text(text, str(path))


def load_all(paths: list[str] | tuple[str, ...]) -> Corpus:
    corpus = Corpus(())
    for path in paths:
        corpus = corpus + load(path)
    return corpus


def dump(corpus: Corpus) -> str:
    """The corpus as YAML in the documented format (what ``--generate`` writes)."""
    return yaml.safe_dump(to_document(corpus), sort_keys=False, allow_unicode=True, width=100)


def to_document(corpus: Corpus) -> dict[str, Any]:
    document: dict[str, Any] = {"version": 1}
    if corpus.variables:
        document["variables"] = dict(corpus.variables)
    scenarios = []
    for scenario in corpus.scenarios:
        item: dict[str, Any] = {"name": scenario.name}
        if scenario.headers:
            item["headers"] = dict(scenario.headers)
        item["steps"] = [_step_document(step) for step in scenario.steps]
        scenarios.append(item)
    document["scenarios"] = scenarios
    return document


def _step_document(step: Step) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if step.name:
        out["name"] = step.name
    if step.route:
        out["route"] = step.route
    out["method"] = step.method
    out["path"] = step.path
    if step.query:
        out["query"] = dict(step.query)
    if step.headers:
        out["headers"] = dict(step.headers)
    if step.has_json:
        out["json"] = step.json
    if step.form is not None:
        out["form"] = dict(step.form)
    if step.data is not None:
        out["data"] = step.data
    if step.capture:
        out["capture"] = dict(step.capture)
    return out
