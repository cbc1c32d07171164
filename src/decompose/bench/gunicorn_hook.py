"""A gunicorn config file that counts SQL statements per request, from outside the app.

``decompose bench`` starts every target with ``gunicorn -c <this file>``. After a worker has
loaded the app, ``post_worker_init`` installs a SQLAlchemy ``before_cursor_execute`` listener on
the ``Engine`` class (so it sees every engine, including ones created at import time) and wraps
the worker's WSGI callable in a small middleware. The app's code is not touched.

Only requests carrying the ``X-Decompose-Bench: <phase> <task>`` header, which the load
generator adds, are counted; statements are attributed to that (phase, task) pair until the
response iterable is closed, so queries run while streaming a body count too. Each worker keeps
its counters in memory and writes them as JSON to ``$DECOMPOSE_BENCH_QUERY_DIR/<pid>.json`` at
most every half second and when it exits; bench reads the files after stopping the server.
Without that environment variable, or without SQLAlchemy, the hook does nothing.
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any

HEADER_ENVIRON_KEY = "HTTP_X_DECOMPOSE_BENCH"
FLUSH_INTERVAL = 0.5


class QueryCounter:
    """Per-worker counters: (phase, task) -> [requests, statements]."""

    def __init__(self, directory: str) -> None:
        self.path = os.path.join(directory, f"{os.getpid()}.json")
        self.local = threading.local()  # greenlet-local under gevent's monkey-patching
        self.lock = threading.Lock()
        self.counts: dict[str, list[int]] = {}
        self.last_flush = 0.0

    def on_execute(self, *args: Any, **kwargs: Any) -> None:
        if getattr(self.local, "tag", None) is not None:
            self.local.statements += 1

    def begin(self, tag: str) -> None:
        self.local.tag = tag
        self.local.statements = 0

    def end(self) -> None:
        tag = getattr(self.local, "tag", None)
        if tag is None:
            return
        statements = self.local.statements
        self.local.tag = None
        with self.lock:
            entry = self.counts.setdefault(tag, [0, 0])
            entry[0] += 1
            entry[1] += statements
        now = time.monotonic()
        if now - self.last_flush >= FLUSH_INTERVAL:
            self.flush(now)

    def flush(self, now: float | None = None) -> None:
        self.last_flush = time.monotonic() if now is None else now
        with self.lock:
            data = json.dumps(self.counts)
        temporary = self.path + ".tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(data)
        os.replace(temporary, self.path)


class _ClosingIterable:
    """Wraps a WSGI response so the count ends when the server closes it."""

    def __init__(self, iterable: Any, counter: QueryCounter) -> None:
        self.iterable = iterable
        self.counter = counter

    def __iter__(self) -> Any:
        return iter(self.iterable)

    def close(self) -> None:
        try:
            close = getattr(self.iterable, "close", None)
            if close is not None:
                close()
        finally:
            self.counter.end()


class CountingMiddleware:
    def __init__(self, app: Any, counter: QueryCounter) -> None:
        self.app = app
        self.counter = counter

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        tag = environ.get(HEADER_ENVIRON_KEY)
        if tag is None:
            return self.app(environ, start_response)
        self.counter.begin(tag)
        try:
            result = self.app(environ, start_response)
        except BaseException:
            self.counter.end()
            raise
        return _ClosingIterable(result, self.counter)


_counter: QueryCounter | None = None

# The target's own gunicorn config (a profile's ``gunicorn_config``), if any: gunicorn reads one
# config file, so this one runs the target's file first and keeps its settings and hooks.
_own_config = os.environ.get("DECOMPOSE_BENCH_GUNICORN_CONFIG")
if _own_config:
    with open(_own_config, encoding="utf-8") as _handle:
        exec(compile(_handle.read(), _own_config, "exec"), globals())  # noqa: S102
_their_post_worker_init = globals().get("post_worker_init")
_their_worker_exit = globals().get("worker_exit")


def post_worker_init(worker: Any) -> None:
    """gunicorn hook: runs in each worker after the app is loaded, before serving."""
    global _counter
    if _their_post_worker_init is not None:
        _their_post_worker_init(worker)
    directory = os.environ.get("DECOMPOSE_BENCH_QUERY_DIR")
    if not directory:
        return
    try:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine
    except ImportError:  # an app without SQLAlchemy: nothing to count
        return
    _counter = QueryCounter(directory)
    event.listen(Engine, "before_cursor_execute", _counter.on_execute)
    worker.wsgi = CountingMiddleware(worker.wsgi, _counter)
    _counter.flush()


def worker_exit(server: Any, worker: Any) -> None:
    """gunicorn hook: runs in the worker process as it exits; write the final counts."""
    if _counter is not None:
        _counter.flush()
    if _their_worker_exit is not None:
        _their_worker_exit(server, worker)
