"""Percentiles from Locust's bucketed histograms, merged across rounds and endpoints."""

from __future__ import annotations

import json
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from decompose.bench.stats import Counters, merge, percentile


def test_percentile_matches_locust_rule():
    # 100 requests: 90 at 10 ms, 9 at 200 ms, 1 at 1000 ms
    histogram = {10: 90, 200: 9, 1000: 1}
    assert percentile(histogram, 100, 0.50) == 10
    assert percentile(histogram, 100, 0.90) == 200  # Locust's rule: the 90th request is slow
    assert percentile(histogram, 100, 0.95) == 200
    assert percentile(histogram, 100, 0.99) == 1000
    assert percentile(histogram, 100, 1.0) == 1000
    assert percentile({}, 0, 0.95) == 0


def test_percentile_agrees_with_locust_itself():
    """Run Locust's own function in a subprocess (importing locust here would monkey-patch pytest)."""
    cases = [({10: 90, 200: 9, 1000: 1}, 100), ({1: 1}, 1), ({5: 3, 7: 4, 120: 2, 3400: 1}, 10)]
    code = (
        "import json, sys; from locust.stats import calculate_response_time_percentile as p; "
        "cases = json.loads(sys.argv[1]); "
        "print(json.dumps([[p({int(k): v for k, v in h.items()}, n, f) for f in (0.5, 0.9, 0.95, 0.99)] for h, n in cases]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps(cases)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    expected = json.loads(out)
    ours = [[percentile(h, n, f) for f in (0.5, 0.9, 0.95, 0.99)] for h, n in cases]
    assert ours == expected


histograms = st.dictionaries(st.integers(1, 5000), st.integers(1, 50), min_size=1, max_size=30)


@given(histograms, st.sampled_from([0.5, 0.9, 0.95, 0.99]))
def test_percentile_is_a_bucket_and_splits_the_counts(histogram, fraction):
    count = sum(histogram.values())
    value = percentile(histogram, count, fraction)
    assert value in histogram
    slower = sum(n for bucket, n in histogram.items() if bucket > value)
    assert slower <= count - int(count * fraction)  # at most the allowed share is slower
    at_or_below = sum(n for bucket, n in histogram.items() if bucket <= value)
    assert count - at_or_below <= count - int(count * fraction)


@given(st.lists(histograms, min_size=1, max_size=4))
def test_merging_equals_one_big_histogram(parts):
    counters = [
        Counters(requests=sum(h.values()), histogram=dict(h), total_ms=1.0 * sum(h.values()))
        for h in parts
    ]
    merged = merge(counters)
    combined: dict[int, int] = {}
    for h in parts:
        for bucket, n in h.items():
            combined[bucket] = combined.get(bucket, 0) + n
    assert merged.histogram == combined
    stats = merged.stats(seconds=2.0)
    assert stats.requests == sum(combined.values())
    assert stats.rps == stats.requests / 2.0
    assert stats.p95 == percentile(combined, stats.requests, 0.95)


def test_queries_per_request_only_when_counted():
    assert Counters(requests=10).stats(1.0).queries is None
    assert Counters(requests=10, queries=60, counted_requests=10).stats(1.0).queries == 6.0


def test_from_entry_reads_locust_counters():
    entry = {
        "num_requests": 3,
        "num_failures": 1,
        "total_response_time": 30.0,
        "max_response_time": 20.0,
        "response_times": {"5": 1, "20": 2},
    }
    stats = Counters.from_entry(entry).stats(1.0)
    assert (stats.requests, stats.failures, stats.avg, stats.max, stats.p50) == (
        3,
        1,
        10.0,
        20.0,
        20.0,
    )
    assert round(stats.failure_rate, 1) == 33.3
