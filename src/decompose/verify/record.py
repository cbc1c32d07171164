"""Record real traffic as JSON lines, and turn a recording into a replayable corpus.

``RecordMiddleware`` wraps a WSGI app (``app.wsgi_app = RecordMiddleware(app.wsgi_app, path)``)
and appends one JSON object per request to ``path``::

    {"method": "POST", "path": "/api/auth/login", "query": [["page", "2"]],
     "headers": {"Authorization": "Bearer ..."}, "json": {...},        # or "form" / "data"
     "response": {"status": 200, "headers": [["Content-Type", "application/json"]],
                  "json": {...}}}                                       # or "body"

For gunicorn: ``gunicorn 'decompose.verify.record:record_app("legacy.app:app", "t.jsonl")'``.

When a recording is replayed, long strings a response returned (tokens) and ids a write
returned are turned into captures, so the replay sends each target its own token and ids.
"""

from __future__ import annotations

import io
import json
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from decompose.verify.scenario import Corpus, Scenario, ScenarioError, Step

RECORDED_HEADERS = ("Authorization", "Accept", "Accept-Language", "X-Requested-With", "X-Api-Key")


def _body_fields(content_type: str, body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    if "json" in content_type:
        try:
            return {"json": json.loads(body)}
        except ValueError:
            pass
    if "application/x-www-form-urlencoded" in content_type:
        return {"form": dict(parse_qsl(body.decode("latin-1"), keep_blank_values=True))}
    try:
        return {"data": body.decode("utf-8")}
    except UnicodeDecodeError:
        return {"data_omitted": f"{len(body)} bytes of binary data"}


class RecordMiddleware:
    """Appends every request and its response to a JSON-lines file (thread and fork safe)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], path: str | os.PathLike[str]) -> None:
        self.app = app
        self.path = Path(path)
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        seen: dict[str, Any] = {}

        def recording_start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.app(environ, recording_start)
        try:
            payload = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        request_headers = {
            name: environ[key]
            for name in RECORDED_HEADERS
            if (key := "HTTP_" + name.upper().replace("-", "_")) in environ
        }
        response_headers = list(seen.get("headers", []))
        response_type = next((v for k, v in response_headers if k.lower() == "content-type"), "")
        response: dict[str, Any] = {
            "status": int(str(seen.get("status", "0")).split()[0]),
            "headers": [list(h) for h in response_headers],
        }
        reply_body = _body_fields(response_type, payload)
        if "json" in reply_body:
            response["json"] = reply_body["json"]
        elif payload:
            response["body"] = payload.decode("utf-8", "replace")
        record: dict[str, Any] = {
            "method": environ.get("REQUEST_METHOD", "GET"),
            "path": environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "/"),
            "query": [list(p) for p in parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)],
            "headers": request_headers,
            **_body_fields(environ.get("CONTENT_TYPE", ""), body),
            "response": response,
        }
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line)
        return [payload]


def record_app(target: str, path: str) -> Any:
    """Import ``target`` (``module:attr``) and return it with recording switched on."""
    from decompose.verify.context import import_string

    app = import_string(target)
    app.wsgi_app = RecordMiddleware(app.wsgi_app, path)
    return app


# -- recording -> corpus -------------------------------------------------------------------------


def _walk(value: Any, path: str = "$") -> Iterable[tuple[str, Any]]:
    from decompose.verify import jsonpath

    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, jsonpath.child(path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value[:50]):
            yield from _walk(item, jsonpath.child(path, index))
    else:
        yield path, value


def _is_token(value: Any) -> bool:
    return isinstance(value, str) and len(value) >= 16 and " " not in value


def _var_name(path: str, taken: set[str]) -> str:
    base = "".join(c if c.isalnum() else "_" for c in path.split(".")[-1].split("[")[0]) or "value"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def corpus_from_records(text: str, source: str) -> Corpus:
    """A one-scenario corpus replaying the recorded requests, with tokens and ids captured."""
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise ScenarioError(f"{source}:{number}: not a JSON object: {exc}.") from None
        if not isinstance(record, dict):
            raise ScenarioError(f"{source}:{number}: a recorded request must be a JSON object.")
        for key in ("method", "path"):
            if not isinstance(record.get(key), str):
                raise ScenarioError(f"{source}:{number}: field {key!r} is missing or not a string.")
        records.append((number, record))
    if not records:
        raise ScenarioError(f"{source}: the recording holds no requests.")

    tokens: dict[str, tuple[int, str]] = {}  # value -> (record index, variable)
    ids: dict[str, tuple[int, str]] = {}
    captures: dict[int, dict[str, str]] = {}
    taken: set[str] = set()
    used: set[str] = set()
    steps_fields = []

    def replace_tokens(text_value: str) -> str:
        for value, (_, var) in tokens.items():
            if value in text_value:
                text_value = text_value.replace(value, "{{" + var + "}}")
                used.add(var)
        return text_value

    for index, (number, record) in enumerate(records):
        headers = {str(k): replace_tokens(str(v)) for k, v in (record.get("headers") or {}).items()}
        segments = []
        for segment in record["path"].split("/"):
            if segment in ids:
                segments.append("{{" + ids[segment][1] + "}}")
                used.add(ids[segment][1])
            else:
                segments.append(replace_tokens(segment))
        fields: dict[str, Any] = {"method": record["method"].upper(), "path": "/".join(segments)}
        fields["headers"] = tuple(headers.items())
        fields["query"] = tuple((str(k), str(v)) for k, v in record.get("query") or [])
        if "json" in record:
            fields["json"] = json.loads(replace_tokens(json.dumps(record["json"])))
            fields["has_json"] = True
        elif "form" in record:
            fields["form"] = tuple((str(k), replace_tokens(str(v))) for k, v in record["form"].items())
        elif "data" in record:
            fields["data"] = replace_tokens(str(record["data"]))
        fields["line"] = number
        steps_fields.append(fields)
        body = (record.get("response") or {}).get("json")
        if body is None:
            continue
        for path, value in _walk(body):
            if _is_token(value) and value not in tokens:
                tokens[value] = (index, _var_name(path, taken))
                captures.setdefault(index, {})[tokens[value][1]] = path
            elif (
                record["method"].upper() in ("POST", "PUT")
                and isinstance(value, int)
                and not isinstance(value, bool)
                and path.rsplit(".", 1)[-1].endswith("id")
                and str(value) not in ids
            ):
                ids[str(value)] = (index, _var_name(path, taken))
                captures.setdefault(index, {})[ids[str(value)][1]] = path

    steps = []
    for index, fields in enumerate(steps_fields):
        capture = tuple((var, path) for var, path in captures.get(index, {}).items() if var in used)
        steps.append(Step(capture=capture, **fields))
    name = f"recorded {Path(source).name}"
    return Corpus((Scenario(name=name, steps=tuple(steps)),), (), (source,))
