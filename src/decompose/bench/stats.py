"""Pure statistics over Locust's bucketed response-time histograms.

The load generator sends back, per endpoint and round, the raw counters of Locust's
``StatsEntry`` (request and failure counts, the sum and maximum of response times, and the
``response_times`` histogram). Rounds and endpoints are merged here, in the parent process, so
that percentiles of a group or of several rounds come from the merged histogram rather than from
averaging percentiles. The percentile rule is Locust's own (``locust.stats``), reproduced so the
parent never imports locust (and gevent's monkey-patching).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from decompose.bench.results import Stats


def percentile(histogram: Mapping[int, int], count: int, fraction: float) -> float:
    """The response time (ms) that ``fraction`` of ``count`` requests finished within.

    Same rule as ``locust.stats.calculate_response_time_percentile``: walk the buckets from
    the slowest down until no more than ``count * fraction`` requests remain.
    """
    allowed = int(count * fraction)
    processed = 0
    for response_time in sorted(histogram, reverse=True):
        processed += histogram[response_time]
        if count - processed <= allowed:
            return float(response_time)
    return 0.0


@dataclass
class Counters:
    """Mergeable raw counters for a set of requests (mutable accumulator, not a result)."""

    requests: int = 0
    failures: int = 0
    total_ms: float = 0.0
    max_ms: float = 0.0
    histogram: dict[int, int] = field(default_factory=dict)
    queries: int = 0
    counted_requests: int = 0  # requests the query hook saw

    @classmethod
    def from_entry(cls, entry: Mapping[str, object]) -> Counters:
        histogram = entry.get("response_times", {})
        assert isinstance(histogram, Mapping)
        return cls(
            requests=int(entry.get("num_requests", 0)),  # type: ignore[call-overload]
            failures=int(entry.get("num_failures", 0)),  # type: ignore[call-overload]
            total_ms=float(entry.get("total_response_time", 0.0)),  # type: ignore[arg-type]
            max_ms=float(entry.get("max_response_time", 0.0)),  # type: ignore[arg-type]
            histogram={int(k): int(v) for k, v in histogram.items()},
        )

    def add(self, other: Counters) -> None:
        self.requests += other.requests
        self.failures += other.failures
        self.total_ms += other.total_ms
        self.max_ms = max(self.max_ms, other.max_ms)
        for bucket, count in other.histogram.items():
            self.histogram[bucket] = self.histogram.get(bucket, 0) + count
        self.queries += other.queries
        self.counted_requests += other.counted_requests

    def stats(self, seconds: float) -> Stats:
        """Derive the reported numbers over a measured window of ``seconds``."""
        # Locust counts a failed request in both num_requests and num_failures, and its
        # histogram holds every request; percentiles therefore include failures, as Locust's do.
        count = sum(self.histogram.values())
        queries = self.queries / self.counted_requests if self.counted_requests else None
        return Stats(
            requests=self.requests,
            failures=self.failures,
            rps=self.requests / seconds if seconds > 0 else 0.0,
            avg=self.total_ms / self.requests if self.requests else 0.0,
            p50=percentile(self.histogram, count, 0.50),
            p90=percentile(self.histogram, count, 0.90),
            p95=percentile(self.histogram, count, 0.95),
            p99=percentile(self.histogram, count, 0.99),
            max=self.max_ms,
            queries=queries,
        )


def merge(counters: Iterable[Counters]) -> Counters:
    total = Counters()
    for item in counters:
        total.add(item)
    return total
