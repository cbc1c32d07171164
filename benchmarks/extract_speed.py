"""Time ``decompose extract`` of legacy/app.py beside ``decompose analyze`` and a bare parse.

    python benchmarks/extract_speed.py [--repeat 3]

Prints, best of ``--repeat`` runs in this warm process: ``libcst.parse_module`` of the app
module; analyze end to end without its cache; extract's own work (index, placement, codemods,
rendering; domains taken from one analyze run, so analyze is not counted twice); extract end to
end as the CLI runs it in memory (analyze included, its cache bypassed); and the self-check
(importing the original and the generated app in child processes and comparing url_maps), once.
Nothing is written to the repository.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import libcst

from decompose.analysis import analyze
from decompose.extract import domains_from_analysis, plan_extraction
from decompose.extract.project import locate
from decompose.extract.selfcheck import check_url_map

REPO = Path(__file__).resolve().parent.parent


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--app", default=str(REPO / "legacy" / "app.py"))
    args = parser.parse_args()
    path = Path(args.app).resolve()
    source = path.read_text(encoding="utf-8")
    project = locate(path)

    t_parse = best(lambda: libcst.parse_module(source), args.repeat)
    t_analyze = best(lambda: analyze(path, use_cache=False), args.repeat)
    analysis = analyze(path, use_cache=False)
    endpoints, helpers = domains_from_analysis(analysis, project.module_name)
    t_extract_own = best(
        lambda: plan_extraction(path, endpoint_domains=endpoints, helper_domains=helpers), args.repeat
    )

    def end_to_end() -> object:
        from decompose.analysis import analyze as fresh

        result = fresh(path, use_cache=False)
        e, h = domains_from_analysis(result, project.module_name)
        return plan_extraction(path, endpoint_domains=e, helper_domains=h)

    t_extract_all = best(end_to_end, args.repeat)
    result, _ = plan_extraction(path, endpoint_domains=endpoints, helper_domains=helpers)
    scratch = Path(tempfile.mkdtemp(prefix="decompose-bench-"))
    try:
        for f in result.files:
            target = scratch / f.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(f.content if isinstance(f.content, bytes) else f.content.encode("utf-8"))
        start = time.perf_counter()
        verdict = check_url_map(
            project_root=project.root,
            original_module=project.module_name,
            app_name=analysis.inventory.app_name,
            package_dir=scratch,
            package=result.plan.package,
            renames={r.old: r.new for r in result.plan.renames},
        )
        t_check = time.perf_counter() - start
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    lines = source.count("\n")
    print(f"extract of {path.relative_to(REPO)} ({lines:,} lines, {len(result.plan.moves)} statements moved, "
          f"{len(result.files)} files generated), best of {args.repeat}:")
    print(f"  libcst.parse_module (app module)        {t_parse:7.2f} s")
    print(f"  analyze, end to end, no cache           {t_analyze:7.2f} s")
    print(f"  extract, its own work (domains given)   {t_extract_own:7.2f} s   {t_extract_own / t_parse:5.1f}x parse")
    print(f"  extract, end to end in memory           {t_extract_all:7.2f} s   (analyze included)")
    print(f"  self-check (2 imports + url_map), once  {t_check:7.2f} s   {verdict.status}: {verdict.detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
