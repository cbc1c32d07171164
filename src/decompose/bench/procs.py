"""Child processes that are always cleaned up: servers, the upstream, the load generator.

Every child starts in a session of its own (so a Ctrl-C at the terminal reaches bench alone,
which then stops the children in order) and, on Linux, with a parent-death signal (so even a
``kill -9`` of bench takes the children with it). :class:`ProcessSet` is a context manager that
stops every process group it started, gracefully first, on success, error or interrupt.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, TracebackType

from decompose.errors import TargetError

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def free_port(host: str = "127.0.0.1") -> int:
    """A port the kernel says is free right now on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def log_tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    tail = text.strip().splitlines()[-lines:]
    return "\n".join("    " + line for line in tail) if tail else "(the log is empty)"


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None


class ProcessSet:
    """Starts children in their own process groups and stops all of them on exit."""

    def __init__(self, stop_timeout: float = 10.0) -> None:
        self.children: list[Child] = []
        self.stop_timeout = stop_timeout

    def __enter__(self) -> ProcessSet:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop_all()

    def start(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        log: Path,
        stdout: int | None = None,
    ) -> Child:
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "ab") as log_file:
            try:
                process = subprocess.Popen(
                    list(argv),
                    cwd=cwd,
                    env=dict(env),
                    stdin=subprocess.DEVNULL,
                    stdout=stdout if stdout is not None else log_file,
                    stderr=log_file,
                    start_new_session=True,
                    preexec_fn=_die_with_parent if sys.platform == "linux" else None,
                )
            except OSError as exc:
                raise TargetError(f"cannot start {name}: {argv[0]}: {exc.strerror}") from None
        child = Child(name, process, log)
        self.children.append(child)
        return child

    def stop(self, child: Child) -> None:
        """SIGTERM the child's process group, wait, then SIGKILL whatever is left."""
        if child.running():
            _signal_group(child.process.pid, signal.SIGTERM)
            try:
                child.process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                pass
        # The leader may be gone while grandchildren (e.g. gunicorn workers) linger.
        _signal_group(child.process.pid, signal.SIGKILL)
        try:
            child.process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - unkillable process
            pass
        if child.process.stdout is not None:
            child.process.stdout.close()
        if child in self.children:
            self.children.remove(child)

    def stop_all(self) -> None:
        # Reverse order: the load generator before the servers, the servers before the upstream.
        for child in reversed(list(self.children)):
            self.stop(child)


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def wait_http(
    child: Child,
    url: str,
    timeout: float,
    what: str,
    still_wanted: Callable[[], bool] = lambda: True,
) -> None:
    """Wait until ``url`` answers any HTTP status; fail with the log tail if it never does."""
    deadline = time.monotonic() + timeout
    last_error = "no answer"
    while time.monotonic() < deadline and still_wanted():
        if not child.running():
            raise TargetError(
                f"{what} exited with code {child.process.returncode} before answering {url}; "
                f"last lines of {child.log}:\n{log_tail(child.log)}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # any status means the server is up
        except (urllib.error.URLError, OSError) as exc:
            last_error = str(getattr(exc, "reason", exc))
        time.sleep(0.1)
    raise TargetError(
        f"{what} did not answer {url} within {timeout:g} s ({last_error}); "
        f"last lines of {child.log}:\n{log_tail(child.log)}"
    )


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM/SIGHUP into KeyboardInterrupt so ``finally`` blocks stop the children."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        try:
            previous[sig] = signal.signal(sig, handler)
        except ValueError:  # not the main thread
            pass
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
