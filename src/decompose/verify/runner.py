"""``run``: start the targets, compare URL maps, replay the corpus, fold results per endpoint.

This is the library entry point the CLI calls; nothing here prints.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from decompose.errors import TargetError
from decompose.model.verify import OUTCOMES, EndpointResult, StepResult, VerifyReport
from decompose.verify import jsonpath, urlmap
from decompose.verify.config import VerifyConfig
from decompose.verify.replay import Replayer
from decompose.verify.scenario import Corpus
from decompose.verify.targets import HttpTarget, WorkerTarget


def _worker(config: VerifyConfig, role: str, side: str, target: str) -> WorkerTarget:
    return WorkerTarget(
        role=role,
        side=side,
        target=target,
        env=config.env_for(side),
        setup=config.setup,
        seed=config.seed,
        project=Path(config.project),
        timeout=config.timeout,
        start_timeout=config.start_timeout,
    )


def fold(steps: Sequence[StepResult]) -> tuple[EndpointResult, ...]:
    """One row per endpoint: its worst step, the first difference and all noise ignored."""
    groups: dict[str, list[StepResult]] = {}
    for step in steps:
        groups.setdefault(step.endpoint, []).append(step)
    rows = []
    for endpoint in sorted(groups):
        group = groups[endpoint]
        worst = max(group, key=lambda s: OUTCOMES.index(s.outcome))
        first = next((s for s in group if s.differences), None)
        errored = next((s for s in group if s.error), None)
        shown = first if worst.outcome == "differs" else errored if worst.outcome == "error" else None
        rows.append(
            EndpointResult(
                endpoint=endpoint,
                outcome=worst.outcome,
                steps=len(group),
                first_difference=first.differences[0] if first and worst.outcome == "differs" else None,
                first_step=f"{shown.scenario} #{shown.index}" if shown else "",
                noise=tuple(sorted({p for s in group for p in s.noise})),
                error=errored.error if errored and worst.outcome == "error" else None,
            )
        )
    return tuple(rows)


def run(
    corpus: Corpus,
    config: VerifyConfig,
    *,
    baseline: str,
    candidate: str,
    http: tuple[str, str] | None = None,
    secondary_url: str | None = None,
    timings: dict[str, float] | None = None,
) -> VerifyReport:
    """Replay ``corpus`` on baseline (twice) and candidate and report every difference.

    ``timings``, when given, receives the seconds spent starting the targets (``start``),
    replaying (``replay``, of which ``app`` inside the apps' request handling, all runs
    summed) and shutting them down (``close``), for benchmarks.
    """
    clock = timings if timings is not None else {}
    mark = time.perf_counter()
    ignore = [jsonpath.compile_pattern(p) for p in config.ignore]
    notes: list[str] = []
    if http is None:
        primary: Any = _worker(config, "primary", "baseline", baseline)
        secondary: Any = _worker(config, "secondary", "baseline", baseline)
        cand: Any = _worker(config, "candidate", "candidate", candidate)
        detection, secondary_for_writes = "full", True
    else:
        primary = HttpTarget("primary", http[0], config.timeout)
        cand = HttpTarget("candidate", http[1], config.timeout)
        if secondary_url:
            secondary, detection, secondary_for_writes = (
                HttpTarget("secondary", secondary_url, config.timeout), "full", True,
            )
        else:
            # One baseline server: reads can be asked twice, writes cannot (they would apply
            # twice), so noise is only known for reads.
            secondary, detection, secondary_for_writes = primary, "reads-only", False
            notes.append(
                "Noise detection covers reads only: give --secondary URL (a second baseline "
                "server with its own database) to detect noise in writes too."
            )
    targets = [primary, cand] + ([secondary] if secondary is not primary else [])
    failed: Any = None
    try:
        for target in targets:
            target.begin()
        maps = {}
        pending = list(targets)
        deadline = time.monotonic() + config.start_timeout
        while pending:  # whichever answers first: a target that fails to import fails fast
            for target in list(pending):
                if target.has_reply(0.05) or time.monotonic() > deadline:
                    try:
                        maps[target.role] = target.ready()
                    except TargetError:
                        failed = target
                        raise
                    pending.remove(target)
        clock["start"] = time.perf_counter() - mark
        mark = time.perf_counter()
        base_map, cand_map = maps.get("primary"), maps.get("candidate")
        checked = base_map is not None and cand_map is not None
        differences = (
            urlmap.compare(base_map, cand_map) if base_map is not None and cand_map is not None else []
        )
        renames = (
            urlmap.renames(base_map, cand_map)
            if config.endpoint_renames and base_map is not None and cand_map is not None
            else {}
        )
        if renames:
            notes.append(
                f"{len(renames)} endpoints carry a blueprint prefix in the candidate; where a "
                "response body names an endpoint, the prefixed name counts as the same name "
                "(listed under noise as 'endpoint rename')."
            )
        replayer = Replayer(
            primary,
            cand,
            secondary,
            headers=config.headers,
            ignore=ignore,
            secondary_for_writes=secondary_for_writes,
            renames=renames,
        )
        steps = replayer.run(corpus)
        clock["replay"] = time.perf_counter() - mark
        clock["app"] = replayer.app_seconds
    finally:
        mark = time.perf_counter()
        for target in targets:
            if target is not failed:
                target.begin_close()
        for target in targets:
            target.close(keep_workdir=target is failed)
        clock["close"] = time.perf_counter() - mark
    endpoints = fold(steps)
    all_routes = urlmap.routes(base_map) if base_map is not None else []
    covered = {s.endpoint for s in steps}
    uncovered = tuple(r for r in all_routes if r not in covered)
    if not checked:
        notes.append("URL maps were not compared: running servers do not expose them.")
    return VerifyReport(
        baseline=baseline if http is None else http[0],
        candidate=candidate if http is None else http[1],
        mode="import" if http is None else "http",
        url_map_checked=checked,
        url_map=tuple(differences),
        steps=tuple(steps),
        endpoints=endpoints,
        uncovered=uncovered,
        routes_total=len(all_routes),
        noise_detection=detection,
        notes=tuple(notes),
    )
