"""One benchmark run: start everything, drive every target in alternation, measure, stop.

``run_bench`` is the library entry point behind ``decompose bench``. It starts the upstream
stand-in (if the profile has one), prepares a fresh database and Redis database per target,
runs the profile's setup commands, starts each target under gunicorn with the query hook, and
then runs rounds of load — target A, target B, A, B, … — so that drift of a shared machine hits
all targets alike. The load generator runs in a subprocess (Locust and gevent stay out of this
process); CPU and memory are sampled here over exactly its measured window. Every process it
started is stopped on the way out, whatever happens.
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import tempfile
from pathlib import Path

from decompose.bench.collect import machine_info, read_queries, target_result
from decompose.bench.options import BenchOptions, TargetSpec
from decompose.bench.phases import run_phase, run_ramp
from decompose.bench.procs import ProcessSet, terminate_as_interrupt
from decompose.bench.results import BenchResult
from decompose.bench.targets import (
    PreparedTarget,
    RunningTarget,
    prepare_target,
    start_target,
    start_upstream,
)
from decompose.errors import InputError, TargetError

__all__ = ["BenchOptions", "TargetSpec", "run_bench"]


def run_bench(options: BenchOptions) -> BenchResult:
    """Run the benchmark described by ``options`` and return its results (no gates)."""
    profile = options.profile
    mix = options.mix or profile.mix
    if not mix:
        raise InputError(f"profile {profile.path} has no [[mix]] entries and no mix was generated")
    names = [spec.name for spec in options.targets]
    if len(set(names)) != len(names):
        raise InputError(f"target names must differ, found {', '.join(names)}")
    load = profile.load.effective(options.quick)
    capacity = (
        options.capacity
        if options.capacity is not None
        else (profile.capacity.enabled and not options.quick)
    )
    started_at = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    machine = machine_info()
    own_workdir = options.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="decompose-bench-")) if own_workdir else options.workdir
    assert workdir is not None
    workdir.mkdir(parents=True, exist_ok=True)
    run_id = f"{os.getpid()}"
    prepared: list[PreparedTarget] = []
    running: list[RunningTarget] = []
    succeeded = False
    try:
        with terminate_as_interrupt(), ProcessSet() as procs:
            upstream = start_upstream(options, procs, workdir)
            for index, spec in enumerate(options.targets):
                prepared.append(
                    prepare_target(options, workdir, index, spec, upstream, run_id, prepared)
                )
            running.extend(start_target(options, procs, workdir, item) for item in prepared)
            for round_index in range(load.rounds):
                for target in running:
                    options.progress(
                        f"round {round_index + 1}/{load.rounds}: {target.spec.name}, "
                        f"{load.users} users for {load.duration:g} s"
                    )
                    run_phase(options, procs, workdir, target, mix, f"r{round_index}", load)
            if capacity:
                for target in running:
                    options.progress(f"capacity ramp: {target.spec.name}")
                    target.capacity = run_ramp(options, procs, workdir, target, mix)
            for target in running:  # a graceful stop makes the workers write their last counts
                procs.stop(target.child)
                read_queries(target, load.rounds)
        succeeded = True
    finally:
        for item in prepared:
            if item.database is not None:
                try:
                    item.database.drop()
                except TargetError as exc:
                    options.progress(f"warning: {exc}")
        if own_workdir and succeeded:
            shutil.rmtree(workdir, ignore_errors=True)
    targets = tuple(target_result(target, mix) for target in running)
    return BenchResult(
        profile=profile.name,
        quick=options.quick,
        started_at=started_at,
        machine=machine | {"load_average_at_end": machine_info()["load_average_at_start"]},
        targets=targets,
        settings={
            "users": load.users,
            "duration_s": load.duration,
            "warmup_s": load.warmup,
            "rounds": load.rounds,
            "wait_s": load.wait,
            "locust_workers": options.workers,
            "capacity": profile.capacity.describe() if capacity else None,
            "profile_path": profile.path,
        },
    )
