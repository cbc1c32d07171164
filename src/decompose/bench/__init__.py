"""decompose bench: Locust benchmarks of several targets side by side, gated on metrics.

The public API, usable without the CLI::

    from decompose.bench import BenchOptions, TargetSpec, load_profile, run_bench, load_gates, evaluate
    result = run_bench(BenchOptions(targets=[TargetSpec.parse("legacy=legacy.app:app")],
                                    profile=load_profile("benchmarks/profiles/legacy.toml"),
                                    root=Path("."), quick=True))

Nothing here imports locust: the load generator (:mod:`decompose.bench.loadgen`) always runs in
a subprocess, so gevent's monkey-patching never reaches the calling process.
"""

from decompose.bench.gates import (
    GateSet,
    apply_gates,
    evaluate,
    load_gates,
    parse_gate,
    parse_gates,
)
from decompose.bench.output import read_results, write_results
from decompose.bench.profile import BenchProfile, load_profile, parse_profile
from decompose.bench.render import RENDERERS, render
from decompose.bench.results import BenchResult, GateOutcome, Stats, TargetResult
from decompose.bench.runner import BenchOptions, TargetSpec, run_bench

__all__ = [
    "RENDERERS",
    "BenchOptions",
    "BenchProfile",
    "BenchResult",
    "GateOutcome",
    "GateSet",
    "Stats",
    "TargetResult",
    "TargetSpec",
    "apply_gates",
    "evaluate",
    "load_gates",
    "load_profile",
    "parse_gate",
    "parse_gates",
    "parse_profile",
    "read_results",
    "render",
    "run_bench",
    "write_results",
]
