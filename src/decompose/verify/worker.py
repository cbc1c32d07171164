"""One target in its own process: ``python -m decompose.verify.worker``.

Speaks JSON lines on stdin/stdout with the replay engine (``decompose.verify.targets``). The
app's own output (prints, logs) goes to stderr, which the parent writes to a log file, so it can
never corrupt the protocol. Messages in: ``start``, ``request``, ``close``; each gets one reply.
"""

from __future__ import annotations

import base64
import json
import os
import random
import sys
import time
import traceback
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qsl

from decompose.verify.context import SetupContext, TargetImportFailed, import_string


def _summary(exc: BaseException) -> str:
    """``Type: message (file:line)``, pointing at the innermost frame outside importlib."""
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if "importlib" not in f.filename and not f.filename.endswith("decompose/verify/context.py")
        and not f.filename.endswith("decompose/verify/worker.py")
    ]
    where = ""
    if isinstance(exc, SyntaxError) and exc.filename:
        where = f" ({exc.filename}:{exc.lineno})"
    elif frames:
        where = f" ({frames[-1].filename}:{frames[-1].lineno})"
    message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
    text = message.strip().splitlines()[0] if message.strip() else ""
    return f"{type(exc).__name__}: {text}{where}" if text else f"{type(exc).__name__}{where}"


def _url_map(app: Any) -> list[dict[str, Any]]:
    rules = []
    for rule in app.url_map.iter_rules():
        rules.append(
            {
                "rule": rule.rule,
                "methods": sorted(rule.methods or ()),
                "endpoint": rule.endpoint,
                "converters": {
                    arg: f"{type(conv).__name__}:{getattr(conv, 'regex', '')}"
                    for arg, conv in sorted(rule._converters.items())
                },
            }
        )
    rules.sort(key=lambda r: (r["rule"], r["endpoint"]))
    return rules


class Worker:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.ctx: SetupContext | None = None
        self.client: Any = None
        self.adapter: Any = None
        self.replacements: list[tuple[bytes, bytes]] = []

    def reply(self, message: dict[str, Any]) -> None:
        self.out.write(json.dumps(message) + "\n")
        self.out.flush()

    def start(self, msg: dict[str, Any]) -> dict[str, Any]:
        project = Path(msg["project"])
        if str(project) not in sys.path:
            sys.path.insert(0, str(project))
        self.ctx = SetupContext(
            role=msg["role"],
            side=msg["side"],
            target=msg["target"],
            workdir=Path(msg["workdir"]),
            run_id=msg["run_id"],
            seed=int(msg["seed"]),
            project=project,
        )
        random.seed(self.ctx.seed)
        stage = "setup"
        try:
            if msg.get("setup"):
                setup = import_string(msg["setup"])
                result = setup(self.ctx)
                if callable(result):
                    self.ctx.on_close(result)
            stage = "import"
            app = self.ctx.app()
        except TargetImportFailed as exc:
            traceback.print_exc()
            cause = exc.__cause__ or exc
            return {"ok": False, "stage": "import", "error": _summary(cause)}
        except BaseException as exc:  # the user's code may raise anything, even SystemExit
            traceback.print_exc()
            return {"ok": False, "stage": stage, "error": _summary(exc)}
        if not hasattr(app, "test_client") or not hasattr(app, "url_map"):
            return {
                "ok": False,
                "stage": "import",
                "error": f"{msg['target']} is a {type(app).__name__}, not a Flask app",
            }
        self.ctx.replace_in_responses(str(self.ctx.workdir), "{workdir}")
        self.ctx.replace_in_responses(self.ctx.run_id, "{run_id}")
        # longest first, so a URL is replaced before a shorter value inside it
        self.replacements = [
            (value.encode(), placeholder.encode())
            for value, placeholder in sorted(self.ctx.replacements, key=lambda r: -len(r[0]))
        ]
        self.client = app.test_client()
        self.adapter = app.url_map.bind("localhost")
        random.seed(self.ctx.seed)  # the same sequence for every run from the first request on
        return {"ok": True, "url_map": _url_map(app), "pid": os.getpid()}

    def _rule(self, method: str, path: str) -> str | None:
        try:
            rule, _ = self.adapter.match(path.split("?", 1)[0], method=method, return_rule=True)
        except Exception:  # 404, 405, redirects: no rule matched as such
            return None
        return f"{method} {rule.rule}"

    def _replace(self, data: bytes) -> bytes:
        for value, placeholder in self.replacements:
            data = data.replace(value, placeholder)
        return data

    def request(self, msg: dict[str, Any]) -> dict[str, Any]:
        path, _, inline_query = msg["path"].partition("?")
        query = parse_qsl(inline_query, keep_blank_values=True) + [
            (str(k), str(v)) for k, v in msg.get("query") or []
        ]
        kwargs: dict[str, Any] = {
            "method": msg["method"],
            "headers": [tuple(p) for p in msg.get("headers") or []],
        }
        if query:
            kwargs["query_string"] = query
        if msg.get("has_json"):
            kwargs["json"] = msg.get("json")
        elif msg.get("form") is not None:
            kwargs["data"] = dict(msg["form"])
        elif msg.get("data") is not None:
            kwargs["data"] = msg["data"]
        started = time.perf_counter()
        try:
            response = self.client.open(path, **kwargs)
            body = self._replace(response.get_data())
            status = response.status_code
            headers = [(k, self._replace(v.encode()).decode()) for k, v in response.headers.items()]
            response.close()
        except Exception as exc:  # the app propagated an exception (TESTING / PROPAGATE_EXCEPTIONS)
            traceback.print_exc()
            return {"ok": False, "error": _summary(exc)}
        return {
            "ok": True,
            "status": status,
            "headers": headers,
            "body": base64.b64encode(body).decode("ascii"),
            "rule": self._rule(msg["method"], msg["path"]),
            "seconds": time.perf_counter() - started,
        }

    def serve(self, inp: TextIO) -> None:
        for line in inp:
            msg = json.loads(line)
            op = msg.get("op")
            if op == "start":
                self.reply(self.start(msg))
            elif op == "request":
                self.reply(self.request(msg))
            elif op == "close":
                if self.ctx is not None:
                    self.ctx.close()
                self.reply({"ok": True})
                return
            else:
                self.reply({"ok": False, "error": f"unknown operation {op!r}"})


def main() -> None:
    # The protocol keeps the real stdout; everything the app prints goes to stderr instead.
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    Worker(protocol).serve(sys.stdin)
    # The teardowns (setup's on_close) have run and the reply is sent; skip the interpreter's
    # own teardown of a big app (a second per run on a busy machine) by leaving at once.
    sys.stderr.flush()
    protocol.close()
    os._exit(0)


if __name__ == "__main__":
    main()
