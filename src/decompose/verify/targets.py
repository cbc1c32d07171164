"""The things a scenario is replayed against.

``WorkerTarget``: an import string served by a Flask test client in its own process
(``decompose.verify.worker``), with its own environment, working directory and database.
``HttpTarget``: a server that is already running, reached with ``requests``.
Both take a prepared request (a plain dict) and return a ``Response``.
"""

from __future__ import annotations

import base64
import json
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from decompose.errors import TargetError
from decompose.verify.diff import Response


@dataclass(frozen=True)
class Reply:
    response: Response | None
    rule: str | None = None  # "METHOD rule" the request matched, when the target knows
    error: str | None = None
    seconds: float = 0.0  # time the app took to answer, measured inside its process


class Target(Protocol):
    role: str

    def begin(self) -> None: ...

    def has_reply(self, timeout: float) -> bool: ...

    def ready(self) -> list[dict[str, Any]] | None: ...

    def send(self, request: dict[str, Any]) -> Reply: ...

    def begin_close(self) -> None: ...

    def close(self, keep_workdir: bool = False) -> None: ...


def _fill(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


class WorkerTarget:
    """One role (primary, secondary, candidate) of an import-string target."""

    def __init__(
        self,
        *,
        role: str,
        side: str,
        target: str,
        env: dict[str, str],
        setup: str | None,
        seed: int,
        project: Path,
        timeout: float,
        start_timeout: float,
    ) -> None:
        self.role, self.side, self.target = role, side, target
        self.setup, self.seed, self.project = setup, seed, project
        self.timeout, self.start_timeout = timeout, start_timeout
        self.run_id = f"verify_{role}_{uuid.uuid4().hex[:10]}"
        self.workdir = Path(tempfile.mkdtemp(prefix=f"decompose-verify-{role}-"))
        values = {
            "workdir": str(self.workdir),
            "role": role,
            "run_id": self.run_id,
            "project": str(project),
        }
        self.env = {key: _fill(value, values) for key, value in env.items()}
        self.log_path = self.workdir / "stderr.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self._selector: selectors.BaseSelector | None = None
        self._buffer = b""
        self._closing = False
        self.failed = False  # set when the process died or hung: its directory and log are kept

    def begin(self) -> None:
        env = dict(os.environ)
        env.update(self.env)
        # The same hash seed everywhere: set iteration order is then identical in every run,
        # so it is never mistaken for noise, and a change in it is caught.
        env["PYTHONHASHSEED"] = str(self.seed)
        env["PYTHONUNBUFFERED"] = "1"
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(self.project), env.get("PYTHONPATH", "")) if p
        )
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "decompose.verify.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            cwd=str(self.project),
            env=env,
        )
        self._selector = selectors.DefaultSelector()
        assert self.proc.stdout is not None
        self._selector.register(self.proc.stdout, selectors.EVENT_READ)
        self._write(
            {
                "op": "start",
                "target": self.target,
                "setup": self.setup,
                "role": self.role,
                "side": self.side,
                "workdir": str(self.workdir),
                "run_id": self.run_id,
                "seed": self.seed,
                "project": str(self.project),
            }
        )

    def _write(self, message: dict[str, Any]) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        try:
            self.proc.stdin.write((json.dumps(message) + "\n").encode("utf-8"))
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise TargetError(self._died("while receiving a request")) from None

    def _read(self, timeout: float, doing: str) -> dict[str, Any]:
        assert self.proc is not None and self.proc.stdout is not None and self._selector
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            if not self._selector.select(timeout):
                self.failed = True
                raise TargetError(
                    f"The {self.side} target {self.target} ({self.role} run) did not answer "
                    f"within {timeout:g} s {doing}; its output is in {self.log_path}."
                )
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise TargetError(self._died(doing))
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        message: dict[str, Any] = json.loads(line)
        return message

    def _died(self, doing: str) -> str:
        self.failed = True
        tail = self.log_tail()
        return (
            f"The {self.side} target {self.target} ({self.role} run) exited {doing}"
            + (f": {tail}" if tail else "")
            + "."
        )

    def log_tail(self, lines: int = 3) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return ""
        return " | ".join(text.splitlines()[-lines:])

    def has_reply(self, timeout: float) -> bool:
        """True when the process has written something (or exited) within ``timeout``."""
        assert self._selector is not None
        return b"\n" in self._buffer or bool(self._selector.select(timeout))

    def ready(self) -> list[dict[str, Any]] | None:
        reply = self._read(self.start_timeout, "while starting")
        if not reply.get("ok"):
            self.failed = True
            stage = reply.get("stage")
            what = "could not be imported" if stage == "import" else "could not be set up"
            hint = (
                "Check that the import string names a Flask app and that the project's "
                "dependencies are installed"
                if stage == "import"
                else "The setup callable raised; fix it or the environment it needs"
            )
            raise TargetError(
                f"The {self.side} target {self.target} {what} ({self.role} run): "
                f"{reply.get('error')}. {hint}; the full traceback is in {self.log_path}."
            )
        url_map: list[dict[str, Any]] = reply["url_map"]
        return url_map

    def send(self, request: dict[str, Any]) -> Reply:
        self._write({"op": "request", **request})
        reply = self._read(self.timeout, f"while answering {request['method']} {request['path']}")
        if not reply.get("ok"):
            return Reply(None, error=str(reply.get("error")))
        response = Response(
            status=int(reply["status"]),
            headers=tuple((str(k), str(v)) for k, v in reply["headers"]),
            body=base64.b64decode(reply["body"]),
        )
        return Reply(response, rule=reply.get("rule"), seconds=float(reply.get("seconds", 0.0)))

    def begin_close(self) -> None:
        """Ask the process to shut down without waiting, so several can tear down at once."""
        if self.proc is not None and self.proc.poll() is None and not self._closing:
            try:
                self._write({"op": "close"})
                self._closing = True
            except TargetError:
                pass

    def close(self, keep_workdir: bool = False) -> None:
        if self.proc is not None:
            try:
                self.begin_close()
                if self._closing:
                    self._read(self.timeout, "while shutting down")
            except TargetError:
                pass
            finally:
                if self.proc.poll() is None:
                    try:
                        self.proc.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        self.proc.kill()
                        self.proc.wait()
                for stream in (self.proc.stdin, self.proc.stdout):
                    if stream is not None:
                        stream.close()
                if self._selector is not None:
                    self._selector.close()
                self._log.close()
                self.proc = None
        if not keep_workdir and not self.failed:
            shutil.rmtree(self.workdir, ignore_errors=True)


class HttpTarget:
    """A running server; the session keeps cookies like a browser would."""

    def __init__(self, role: str, base_url: str, timeout: float) -> None:
        import requests

        self.failed = False
        self.role = role
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()

    def begin(self) -> None:
        pass

    def has_reply(self, timeout: float) -> bool:
        return True

    def ready(self) -> list[dict[str, Any]] | None:
        """Check that something listens at the address (a TCP connect, no HTTP request, so the
        server's own counters see only the scenario's traffic)."""
        import socket
        from urllib.parse import urlsplit

        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TargetError(f"{self.base_url!r} is not an http:// or https:// base URL.")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            socket.create_connection((parts.hostname, port), timeout=self.timeout).close()
        except OSError as exc:
            raise TargetError(
                f"Nothing answers at {self.base_url} ({self.role}): {exc.strerror or exc}; "
                "start the server first or check the URL."
            ) from None
        return None

    def send(self, request: dict[str, Any]) -> Reply:
        import requests

        kwargs: dict[str, Any] = {
            "params": request.get("query") or None,
            "headers": dict(request.get("headers") or []),
            "allow_redirects": False,
            "timeout": self.timeout,
        }
        if request.get("has_json"):
            kwargs["json"] = request.get("json")
        elif request.get("form") is not None:
            kwargs["data"] = dict(request["form"])
        elif request.get("data") is not None:
            kwargs["data"] = request["data"].encode("utf-8")
        try:
            answer = self.session.request(
                request["method"], self.base_url + request["path"], **kwargs
            )
        except requests.RequestException as exc:
            return Reply(None, error=f"{type(exc).__name__}: {exc}")
        headers = tuple((k, v) for k, v in answer.headers.items())
        return Reply(Response(answer.status_code, headers, answer.content))

    def begin_close(self) -> None:
        pass

    def close(self, keep_workdir: bool = False) -> None:
        self.session.close()
