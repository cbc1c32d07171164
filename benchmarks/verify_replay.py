"""Time `decompose verify`: a replay of the corpus over baseline vs candidate.

    python benchmarks/verify_replay.py                      # legacy vs extracted (or legacy twice)
    python benchmarks/verify_replay.py --repeat 3 --scenarios legacy/verify/corpus.yaml

Prints, per repetition and as medians: start-up of the three target processes (import + setup +
seed, in parallel), the replay itself (every step sent to primary, candidate and secondary, then
compared), shutdown, and the replay cost per step. Run on a quiet machine; the numbers depend on
load (see the machine measurements in shared/MEASUREMENTS.md for this machine's baseline costs).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    from decompose.verify import config as config_mod
    from decompose.verify import runner, scenario

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline")
    parser.add_argument("--candidate")
    parser.add_argument("--scenarios", nargs="*")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    os.chdir(REPO)
    config = config_mod.load(project=REPO)
    baseline = args.baseline or config.baseline or "legacy.app:app"
    candidate = args.candidate or config.candidate or "extracted.wsgi:app"
    if args.candidate is None and not (REPO / "extracted" / "wsgi.py").is_file():
        candidate = baseline
        print("extracted/wsgi.py does not exist yet: timing legacy against itself.")
    files = args.scenarios or [str(REPO / f) for f in config.scenarios]
    corpus = scenario.load_all(files)
    print(f"baseline {baseline}  candidate {candidate}")
    print(f"corpus: {corpus.step_count} steps in {len(corpus.scenarios)} scenarios ({', '.join(files)})")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    rows = []
    for n in range(1, args.repeat + 1):
        timings: dict[str, float] = {}
        started = time.perf_counter()
        report = runner.run(corpus, config, baseline=baseline, candidate=candidate, timings=timings)
        total = time.perf_counter() - started
        per_step = timings["replay"] / max(1, corpus.step_count) * 1000
        overhead = (timings["replay"] - timings["app"]) / max(1, corpus.step_count) * 1000
        rows.append(
            (total, timings["start"], timings["replay"], timings["close"], per_step, timings["app"], overhead)
        )
        outcome = "passed" if report.passed else f"{len(report.differing)} endpoints differ"
        print(
            f"run {n}: total {total:.2f} s = start {timings['start']:.2f} s + replay "
            f"{timings['replay']:.2f} s + close {timings['close']:.2f} s; "
            f"{per_step:.1f} ms per step (3 requests + compare), of which the apps "
            f"{timings['app']:.2f} s and verify {overhead:.1f} ms per step; {outcome}"
        )
    med = [statistics.median(col) for col in zip(*rows, strict=True)]
    print(
        f"median of {len(rows)}: total {med[0]:.2f} s, start {med[1]:.2f} s, replay {med[2]:.2f} s, "
        f"close {med[3]:.2f} s, {med[4]:.1f} ms per step (apps {med[5]:.2f} s, verify's own "
        f"{med[6]:.1f} ms per step)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
