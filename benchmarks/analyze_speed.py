"""Time ``decompose analyze`` beside a bare ``libcst.parse_module`` of the same file.

    python benchmarks/analyze_speed.py [--repeat 3] [--lines 50000]

For legacy/app.py and a generated monolith (benchmarks/gen_monolith.py, regenerated when
missing) it prints, best of ``--repeat`` runs in this warm process: ``ast.parse`` and
``libcst.parse_module`` of the app module, libcst of every module analyze reads, analyze
end to end without the cache, and analyze again with the cache warm; then the ratio
analyze / bare parse of the app module, which the issue wants within 3x. analyze pauses the
cyclic garbage collector while it runs (decompose.analysis._gc_paused); the parse is also shown
timed that way, so the ratio can be read against either.
"""

from __future__ import annotations

import argparse
import ast
import gc
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import libcst
import networkx  # noqa: F401  (import cost is not part of the measurement)

from decompose.analysis import analyze, load_project

REPO = Path(__file__).resolve().parent.parent


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(label: str, path: Path, repeat: int) -> None:
    source = path.read_text(encoding="utf-8")
    lines = source.count("\n")
    t_ast = best(lambda: ast.parse(source), repeat)
    t_cst = best(lambda: libcst.parse_module(source), repeat)
    gc.disable()  # analyze pauses the cyclic GC while it runs; show the parse under the same terms
    try:
        t_cst_nogc = best(lambda: libcst.parse_module(source), repeat)
    finally:
        gc.enable()
    index = load_project(path, cst=False)
    sources = [m.source for m in index.modules.values()]
    t_cst_all = best(lambda: [libcst.parse_module(s) for s in sources], repeat)
    t_analyze = best(lambda: analyze(path, use_cache=False), repeat)
    with tempfile.TemporaryDirectory() as cache_home:
        os.environ["XDG_CACHE_HOME"] = cache_home
        # a copy, so that the benchmark never writes a cache into the repository
        work = Path(cache_home) / "project"
        shutil.copytree(index.root, work, ignore=shutil.ignore_patterns(".decompose-cache", "__pycache__", "instance", "*.sqlite3", ".git", ".venv", "benchmarks", "tests", "src", "extracted"))
        copy = work / path.relative_to(index.root)
        analyze(copy)  # fill the cache
        t_cached = best(lambda: analyze(copy), repeat)
    result = analyze(path, use_cache=False)
    print(f"{label}: {path.relative_to(REPO)} ({lines:,} lines; {len(sources)} modules read, "
          f"{len(result.inventory.routes)} routes, {len(result.findings)} findings)")
    print(f"  ast.parse(app module)             {t_ast:7.3f} s")
    print(f"  libcst.parse_module(app module)   {t_cst:7.3f} s   ({t_cst_nogc:.3f} s with the GC paused)")
    print(f"  libcst of all modules read        {t_cst_all:7.3f} s")
    print(f"  analyze, no cache                 {t_analyze:7.3f} s   ratio to bare parse: {t_analyze / t_cst:4.2f}x"
          f"   ({1e6 * t_analyze / lines:5.1f} ms per 1,000 lines)")
    print(f"  analyze, cache warm               {t_cached:7.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lines", type=int, default=50_000)
    args = parser.parse_args()
    from importlib.metadata import version

    print(f"python {sys.version.split()[0]}, libcst {version('libcst')}, "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    measure("legacy", REPO / "legacy" / "app.py", args.repeat)
    out = REPO / "benchmarks" / "out" / "monolith"
    generated = out / f"monolith{args.lines // 1000}k" / "app.py"
    if not generated.is_file():
        subprocess.run([sys.executable, str(REPO / "benchmarks" / "gen_monolith.py"), "--lines", str(args.lines), "--out", str(out)], check=True)
    measure("generated", generated, max(1, args.repeat - 1))


if __name__ == "__main__":
    main()
