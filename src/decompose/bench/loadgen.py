"""The load generator: Locust used as a library, in a process of its own.

``python -m decompose.bench.loadgen run SPEC OUT`` drives one target for one phase and writes
Locust's raw counters to ``OUT`` (JSON). ``python -m decompose.bench.loadgen worker SPEC
--master-host H --master-port P`` is a Locust worker for distributed mode; it can run on another
machine (with decompose installed and a copy of SPEC) to add load beyond one box.

Importing locust monkey-patches the process with gevent, so this module is only ever run as a
subprocess of ``decompose bench``; the rest of the CLI never imports it. It must import locust
before anything that imports ``ssl``.

The spec (written by :mod:`decompose.bench.runner`) holds the host, users, durations, login and
the weighted mix. Each simulated user is a ``FastHttpUser`` that logs in once and then picks
tasks by weight. The only per-request work beyond Locust's own is one dict lookup for the
prepared headers, which carry ``X-Decompose-Bench: <phase> <task>`` for the gunicorn query hook.

Progress markers go to stdout, one per line, so that the parent can sample server CPU and
memory exactly over the measured window: ``DECOMPOSE MEASURE START``/``END`` and, in a capacity
ramp, ``DECOMPOSE STEP START <users>``/``DECOMPOSE STEP END <users>``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import sys
import time
from collections.abc import Callable
from typing import Any

import gevent
import gevent.event
import locust  # noqa: I001 - must come first: gevent monkey-patching before ssl is imported
import locust.runners
from locust import FastHttpUser, constant
from locust.env import Environment

HEADER = "X-Decompose-Bench"
REPORT_INTERVAL = 0.5  # seconds between worker stats reports in distributed mode
PHASE_MESSAGE = "decompose_phase"
SPEC_MESSAGE = "decompose_spec"


class State:
    """The phase tag requests carry; switched by the runner (or a message from the master)."""

    phase = "warmup"
    logins_done = 0
    login_failures = 0
    all_logged_in: gevent.event.Event | None = None


LOGIN_BARRIER_TIMEOUT = 120.0


def _login_barrier(runner: Any) -> None:
    """Hold a user after its login until every user of this process has logged in.

    Without it the first users to log in flood a slow server and the last logins queue behind
    their requests, so the warmup never ends; with it all logins go first, then the load.
    """
    if State.all_logged_in is None:
        State.all_logged_in = gevent.event.Event()
    expected = getattr(runner, "target_user_count", 0) or 0
    if State.logins_done >= expected:
        State.all_logged_in.set()
    State.all_logged_in.wait(timeout=LOGIN_BARRIER_TIMEOUT)


def marker(text: str) -> None:
    sys.stdout.write(f"DECOMPOSE {text}\n")
    sys.stdout.flush()


def _fill(value: Any, n: int) -> Any:
    """Replace ``{n}`` in every string of a JSON-like value."""
    if isinstance(value, str):
        return value.replace("{n}", str(n))
    if isinstance(value, list):
        return [_fill(item, n) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, n) for key, item in value.items()}
    return value


def _dig(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def build_user(spec: dict[str, Any]) -> type[FastHttpUser]:
    """A FastHttpUser class for the spec's login and weighted mix."""
    tasks_spec = spec["tasks"]
    login = spec.get("login")
    login_users = int(login["users"]) if login else 1
    numbering = itertools.count()

    def make_task(index: int, task: dict[str, Any]) -> Callable[[Any], None]:
        method, name = task["method"], task["name"]
        templated = "{n}" in task["path"] or "{n}" in json.dumps(task.get("json"))

        def run(user: Any) -> None:
            headers = user.headers.get(State.phase)
            if headers is None:
                headers = user.prepare_headers(State.phase)
            if templated:
                path, body = user.templated[index]
            else:
                path, body = task["path"], task.get("json")
            user.client.request(method, path, name=name, headers=headers[index], json=body)

        run.__name__ = f"task_{index}"
        return run

    weighted = {
        make_task(i, t): int(t["weight"]) for i, t in enumerate(tasks_spec) if t["weight"] > 0
    }

    class BenchUser(FastHttpUser):
        host = spec["host"]
        wait_time = constant(float(spec.get("wait", 0.0)))
        tasks = weighted  # type: ignore[assignment]  # Locust accepts {task: weight}

        def on_start(self) -> None:
            runner = self.environment.runner
            index = getattr(runner, "worker_index", 0) or 0
            count = max(1, int(spec.get("worker_count", 1)))
            self.number = (next(numbering) * count + index) % login_users + 1
            self.auth: dict[str, str] = {}
            self.headers: dict[str, list[dict[str, str]]] = {}
            self.templated = [
                (_fill(t["path"], self.number), _fill(t.get("json"), self.number))
                for t in tasks_spec
            ]
            if login:
                self.log_in(login)
                _login_barrier(runner)

        def log_in(self, login: dict[str, Any]) -> None:
            body = _fill(login.get("json"), self.number)
            form = _fill(login.get("form"), self.number)
            with self.client.request(
                login["method"],
                _fill(login["path"], self.number),
                name="login",
                json=body,
                data=form,
                headers={HEADER: f"{State.phase} login"},
                catch_response=True,
            ) as response:
                token = None
                try:
                    token = _dig(response.json(), login["token"])
                except Exception:  # noqa: BLE001 - any non-JSON answer is a failed login
                    token = None
                if token is None:
                    State.login_failures += 1
                    response.failure(
                        f"no {login['token']!r} in the login response (status {response.status_code})"
                    )
                else:
                    self.auth = {login["header"]: login["value"].replace("{token}", str(token))}
            State.logins_done += 1

        def prepare_headers(self, phase: str) -> list[dict[str, str]]:
            headers = [{**self.auth, HEADER: f"{phase} {i}"} for i in range(len(tasks_spec))]
            self.headers[phase] = headers
            return headers

    return BenchUser


# --------------------------------------------------------------------------- phases


def _set_phase(env: Environment, phase: str) -> None:
    State.phase = phase
    runner = env.runner
    if isinstance(runner, locust.runners.MasterRunner):
        runner.send_message(PHASE_MESSAGE, phase)  # type: ignore[arg-type]  # any picklable data


def _wait_ready(env: Environment, users: int, spec: dict[str, Any], timeout: float) -> None:
    """Wait until all users are spawned and, in local mode, have logged in."""
    runner = env.runner
    assert runner is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        spawned = runner.user_count >= users and runner.state == locust.runners.STATE_RUNNING
        logged_in = (
            not spec.get("login")
            or isinstance(runner, locust.runners.MasterRunner)
            or State.logins_done >= users
        )
        if spawned and logged_in:
            break
        gevent.sleep(0.05)
    if isinstance(runner, locust.runners.MasterRunner):
        gevent.sleep(2 * REPORT_INTERVAL)  # let workers' login requests settle


def _snapshot(env: Environment) -> list[dict[str, Any]]:
    entries = []
    for (name, method), entry in env.stats.entries.items():
        if name == "login":
            continue
        entries.append(
            {
                "name": name,
                "method": method,
                "num_requests": entry.num_requests,
                "num_failures": entry.num_failures,
                "total_response_time": entry.total_response_time,
                "max_response_time": entry.max_response_time,
                "response_times": {str(k): v for k, v in entry.response_times.items()},
            }
        )
    return entries


def _errors(env: Environment, limit: int = 5) -> list[str]:
    errors = sorted(env.stats.errors.values(), key=lambda e: -e.occurrences)
    return [f"{e.method} {e.name}: {e.error} (x{e.occurrences})" for e in errors[:limit]]


def _stop_window(env: Environment) -> None:
    """End the measured window; in distributed mode wait for the workers' last reports."""
    runner = env.runner
    if isinstance(runner, locust.runners.MasterRunner):
        _set_phase(env, "after")
        runner.stop()
        gevent.sleep(3 * REPORT_INTERVAL)


def run_steady(env: Environment, spec: dict[str, Any]) -> dict[str, Any]:
    runner = env.runner
    assert runner is not None
    users = int(spec["users"])
    runner.start(users, spawn_rate=float(spec["spawn_rate"]))
    _wait_ready(env, users, spec, timeout=float(spec.get("ready_timeout", 120)))
    gevent.sleep(float(spec.get("warmup", 0)))
    _set_phase(env, spec["phase"])
    env.stats.reset_all()
    started = time.monotonic()
    marker("MEASURE START")
    gevent.sleep(float(spec["duration"]))
    measured = time.monotonic() - started
    marker("MEASURE END")
    State.phase = "after"
    _stop_window(env)
    return {
        "mode": "steady",
        "duration": measured,
        "users": runner.user_count,
        "entries": _snapshot(env),
        "errors": _errors(env),
        "login_failures": State.login_failures,
    }


def run_ramp(env: Environment, spec: dict[str, Any]) -> dict[str, Any]:
    """Raise users step by step until p95 or the failure rate break the objective."""
    from decompose.bench.stats import Counters, merge  # pure module, no gevent concerns

    runner = env.runner
    assert runner is not None
    ramp = spec["ramp"]
    group = set(ramp.get("task_names") or ())
    steps = []
    for users in ramp["steps"]:
        runner.start(users, spawn_rate=float(spec["spawn_rate"]))
        _wait_ready(env, users, spec, timeout=float(spec.get("ready_timeout", 120)))
        gevent.sleep(float(spec.get("warmup", 0)))
        _set_phase(env, f"{spec['phase']}-u{users}")
        env.stats.reset_all()
        started = time.monotonic()
        marker(f"STEP START {users}")
        gevent.sleep(float(ramp["step_duration"]))
        measured = time.monotonic() - started
        marker(f"STEP END {users}")
        if isinstance(runner, locust.runners.MasterRunner):
            gevent.sleep(2 * REPORT_INTERVAL)
        entries = [e for e in _snapshot(env) if not group or e["name"] in group]
        stats = merge(Counters.from_entry(e) for e in entries).stats(measured)
        ok = (
            stats.requests > 0
            and stats.p95 <= ramp["objective_p95"] + ramp["tolerance"]
            and (stats.failure_rate <= ramp["max_failure_rate"])
        )
        steps.append(
            {
                "users": users,
                "p95": stats.p95,
                "failure_rate": stats.failure_rate,
                "rps": stats.rps,
                "ok": ok,
            }
        )
        if not ok:
            break
    State.phase = "after"
    _stop_window(env)
    return {
        "mode": "ramp",
        "steps": steps,
        "errors": _errors(env),
        "login_failures": State.login_failures,
    }


def _make_env(spec: dict[str, Any]) -> Environment:
    user_class = build_user(spec)
    return Environment(user_classes=[user_class], host=spec["host"], events=locust.events)


def main_run(spec_path: str, out_path: str) -> int:
    with open(spec_path, encoding="utf-8") as handle:
        spec = json.load(handle)
    State.phase = f"w-{spec['phase']}"  # warmup requests of this phase
    env = _make_env(spec)
    workers = int(spec.get("worker_count", 0) or 0)
    if spec.get("distributed"):
        runner = env.create_master_runner(
            spec.get("master_bind", "127.0.0.1"), int(spec["master_port"])
        )
        deadline = time.monotonic() + float(spec.get("workers_timeout", 60))
        while len(runner.clients.ready) < workers:
            if time.monotonic() > deadline:
                sys.stderr.write(
                    f"only {len(runner.clients.ready)} of {workers} Locust workers connected\n"
                )
                runner.quit()
                return 3
            gevent.sleep(0.1)
        runner.send_message(SPEC_MESSAGE, spec)
        marker(f"WORKERS {workers}")
    else:
        env.create_local_runner()
    try:
        result = run_ramp(env, spec) if spec.get("mode") == "ramp" else run_steady(env, spec)
    finally:
        assert env.runner is not None
        env.runner.quit()
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    marker("DONE")
    return 0


def configure(user_class: type[Any], spec: dict[str, Any]) -> None:
    """Make a worker's placeholder user class drive ``spec`` (sent by the master)."""
    fresh = build_user(spec)
    for name in ("host", "wait_time", "tasks", "on_start", "log_in", "prepare_headers"):
        setattr(user_class, name, getattr(fresh, name))
    State.phase = f"w-{spec['phase']}"
    State.logins_done = 0
    State.login_failures = 0
    State.all_logged_in = None


def main_worker(master_host: str, master_port: int) -> int:
    """A Locust worker; the master sends it the spec (host, login, mix) before each phase."""
    locust.runners.WORKER_REPORT_INTERVAL = REPORT_INTERVAL
    env = _make_env({"host": "http://127.0.0.1", "tasks": [], "phase": "pending"})
    runner = env.create_worker_runner(master_host, master_port)

    def on_spec(environment: Any, msg: Any, **kwargs: Any) -> None:
        configure(env.user_classes[0], msg.data)

    def on_phase(environment: Any, msg: Any, **kwargs: Any) -> None:
        State.phase = msg.data

    runner.register_message(SPEC_MESSAGE, on_spec)
    runner.register_message(PHASE_MESSAGE, on_phase)
    runner.greenlet.join()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m decompose.bench.loadgen")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="drive one target for one phase")
    run.add_argument("spec")
    run.add_argument("out")
    worker = commands.add_parser(
        "worker", help="a Locust worker for distributed mode (exits when the master quits)"
    )
    worker.add_argument("--master-host", default="127.0.0.1")
    worker.add_argument("--master-port", type=int, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if args.command == "run":
        return main_run(args.spec, args.out)
    return main_worker(args.master_host, args.master_port)


if __name__ == "__main__":
    sys.exit(main())
