"""Per-endpoint latency of the legacy monolith, served the way production served it.

Starts the local upstream (production latency) in a subprocess, seeds a fresh SQLite database
with the default size through the app's own `flask seed`, serves legacy.app:app under gunicorn
(1 sync worker), logs in as a seeded user and times N sequential requests per endpoint.
Everything it starts is stopped again, also on Ctrl-C.

    .venv/bin/python benchmarks/legacy_latency.py              # 20 requests per endpoint
    .venv/bin/python benchmarks/legacy_latency.py -n 50 --upstream-latency-ms 300

Requests are sequential on purpose: this measures what one request costs, not throughput.
"""

import argparse
import itertools
import math
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import requests

REPO = Path(__file__).resolve().parents[1]

# name, method, path template, JSON body, what it shows. Templates may use {category_id},
# {word_id} and {article_url}; each request takes the next value of a sequence. Word ids skip the
# seeded images/examples and article URLs come from the upstream's feed, so the "uncached"
# endpoints really reach the upstream on every request.
ENDPOINTS = [
    ("categories list", "GET", "/api/categories", None, "2 COUNTs per category, uncached"),
    ("words of a category", "GET", "/api/categories/{category_id}/words", None, "N+1 per word"),
    ("user stats", "GET", "/api/stats", None, "counts in loops"),
    ("leaderboard", "GET", "/api/leaderboard", None, "N+1 per user"),
    ("word image (uncached)", "GET", "/api/words/{word_id}/image", None, "Unsplash search"),
    ("example sentences (LLM)", "POST", "/api/words/{word_id}/examples", None, "chat, no timeout"),
    ("news feed", "GET", "/api/news", None, "RSS fetch per request"),
    ("news article (uncached)", "GET", "/api/news/article?url={article_url}", None, "page fetch"),
]

USERNAME = "user1"
PASSWORD = "password123"
# Seed layout (legacy/seed_data.py): words are numbered category by category, 50 per category,
# and the first 4 of each category already have an image and the first 3 example sentences.
WORDS_PER_CATEGORY = 50
CATEGORIES = 40
SEEDED_PER_CATEGORY = 4


def percentile(values, pct):
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, proc, timeout=60.0, what="server"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode} before it was ready")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer {url} within {timeout:.0f} s")


def stop(proc):
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def uncached_word_ids():
    """Word ids without a seeded image or example, in an order that spreads over categories."""
    for offset in range(SEEDED_PER_CATEGORY, WORDS_PER_CATEGORY):
        for category in range(CATEGORIES):
            yield category * WORDS_PER_CATEGORY + offset + 1


def article_urls(upstream_base):
    """The feed's article links, round-robin (the app caches an article once fetched)."""
    feed = requests.get(f"{upstream_base}/rss/news.xml", timeout=30).text
    links = re.findall(r"<link>(http[^<]+/articles/[^<]+)</link>", feed)
    if not links:
        raise RuntimeError("the upstream feed lists no articles")
    return itertools.cycle(links)


def run_endpoint(session, base, headers, spec, n, word_ids, articles):
    name, method, template, body, _note = spec
    timings, failures = [], 0
    for i in range(n):
        path = template.format(
            category_id=i % CATEGORIES + 1,
            word_id=next(word_ids),
            article_url=quote(next(articles), safe="") if "{article_url}" in template else "",
        )
        started = time.perf_counter()
        resp = session.request(method, base + path, json=body, headers=headers, timeout=120)
        timings.append((time.perf_counter() - started) * 1000)
        if resp.status_code >= 400:
            failures += 1
            if failures == 1:
                print(
                    f"  ! {name}: {method} {path} -> {resp.status_code} {resp.text[:120]!r}",
                    file=sys.stderr,
                )
    return timings, failures


def render(rows, n, latency_label):
    header = f"{'endpoint':<26} {'method path':<42} {'n':>3} {'err':>3} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  note"
    lines = [
        f"legacy latency — gunicorn 1 sync worker, SQLite (seed default), upstream {latency_label}, "
        f"{n} sequential requests per endpoint",
        header,
        "-" * len(header),
    ]
    for spec, timings, failures in rows:
        name, method, template, _body, note = spec
        lines.append(
            f"{name:<26} {method + ' ' + template:<42} {len(timings):>3} {failures:>3} "
            f"{percentile(timings, 50):>8.1f} {percentile(timings, 95):>8.1f} {max(timings):>8.1f}  {note}"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "-n", "--requests", type=int, default=20, help="requests per endpoint (default 20)"
    )
    parser.add_argument(
        "--upstream-latency-ms",
        type=int,
        default=None,
        help="one latency for every upstream route (default: production's per-route values)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary directory (database, logs)"
    )
    args = parser.parse_args(argv)
    if args.requests < 1:
        parser.error("--requests must be at least 1")

    # SIGTERM takes the same path as Ctrl-C so the finally block below stops the servers
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))

    workdir = Path(tempfile.mkdtemp(prefix="legacy-latency-"))
    upstream = gunicorn = None
    logs = []
    try:
        upstream_port, app_port = free_port(), free_port()
        upstream_base = f"http://127.0.0.1:{upstream_port}"
        env = {k: v for k, v in os.environ.items() if k != "UPSTREAM_LATENCY_MS"}
        env.update(
            PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
            PYTHONUNBUFFERED="1",
            DATABASE_URL=f"sqlite:///{workdir / 'bench.sqlite3'}",
            REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
            OPENAI_BASE_URL=f"{upstream_base}/v1",
            UNSPLASH_BASE_URL=f"{upstream_base}/unsplash",
            NEWS_FEED_URL=f"{upstream_base}/rss/news.xml",
            UPLOAD_FOLDER=str(workdir / "uploads"),
            DEBUG_REQUESTS="0",
        )

        cmd = [sys.executable, "-m", "legacy.upstream", "--port", str(upstream_port)]
        if args.upstream_latency_ms is not None:
            cmd += ["--latency-ms", str(args.upstream_latency_ms)]
        log = open(workdir / "upstream.log", "w")
        logs.append(log)
        upstream = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        wait_for(f"{upstream_base}/health", upstream, what="upstream")

        started = time.monotonic()
        seed = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "legacy.app", "seed"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
        )
        if seed.returncode != 0:
            raise RuntimeError(f"flask seed failed:\n{seed.stdout}\n{seed.stderr}")
        seed_seconds = time.monotonic() - started

        log = open(workdir / "gunicorn.log", "w")
        logs.append(log)
        gunicorn = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "legacy.app:app",
                "--bind",
                f"127.0.0.1:{app_port}",
                "--workers",
                "1",
                "--worker-class",
                "sync",
                "--timeout",
                "120",
                "--keep-alive",
                "2",
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{app_port}"
        wait_for(f"{base}/health", gunicorn, what="gunicorn")

        with requests.Session() as session:
            resp = session.post(
                f"{base}/api/auth/login",
                json={"username": USERNAME, "password": PASSWORD},
                timeout=60,
            )
            resp.raise_for_status()
            headers = {"Authorization": f"Bearer {resp.json()['access_token']}"}
            word_ids = uncached_word_ids()
            articles = article_urls(upstream_base)
            rows = []
            for spec in ENDPOINTS:
                timings, failures = run_endpoint(
                    session, base, headers, spec, args.requests, word_ids, articles
                )
                rows.append((spec, timings, failures))

        latency_label = (
            f"{args.upstream_latency_ms} ms on every route"
            if args.upstream_latency_ms is not None
            else "at production latency (chat 450, images 300, unsplash 250, rss 200, article 300 ms)"
        )
        print(render(rows, args.requests, latency_label))
        print(
            f"\nseeded in {seed_seconds:.1f} s; python {platform.python_version()}, "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end; "
            "errors count responses >= 400"
        )
        return 1 if any(failures for _spec, _t, failures in rows) else 0
    except KeyboardInterrupt:
        print("interrupted; stopping servers", file=sys.stderr)
        return 130
    finally:
        stop(gunicorn)
        stop(upstream)
        for log in logs:
            log.close()
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
