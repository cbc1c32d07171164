"""What ``decompose verify`` found: URL-map differences and per-step, per-endpoint outcomes.

The replay engine fills these in; renderers (table, JSON, JUnit) only read them. Values shown to
the user (``baseline``, ``candidate``) are already short printable strings, so a report never
holds whole response bodies.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Step and endpoint outcomes, from best to worst; an endpoint shows its worst step.
OUTCOMES: tuple[str, ...] = ("same", "noise only", "differs", "error")


@dataclass(frozen=True)
class Difference:
    """One place where two responses differ.

    ``path`` is ``status``, ``content_type``, ``header:<Name>``, ``body`` (a whole non-JSON
    body), ``body:line <n>`` (a line of a text body) or a JSON path such as ``$.items[3].name``.
    """

    path: str
    baseline: str
    candidate: str


@dataclass(frozen=True)
class StepResult:
    """The outcome of one request of one scenario, replayed on every target."""

    scenario: str
    index: int  # 1-based position in the scenario
    name: str
    method: str
    path: str  # the request path after variable substitution, as sent to the baseline
    endpoint: str  # "METHOD rule" of the baseline route the request matched, or of the step
    outcome: str  # one of OUTCOMES
    differences: tuple[Difference, ...] = ()  # real: baseline and candidate disagree
    noise: tuple[str, ...] = ()  # paths that differed between the two baseline runs
    error: str | None = None
    status: int | None = None  # baseline (primary) status code


@dataclass(frozen=True)
class EndpointResult:
    """All steps that hit one route, folded into the worst outcome."""

    endpoint: str
    outcome: str
    steps: int
    first_difference: Difference | None = None
    first_step: str = ""  # "scenario #index" of the step that showed it
    noise: tuple[str, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class UrlMapDifference:
    """A rule that is not the same on both sides.

    ``kind``: missing (only in baseline), extra (only in candidate), methods, converters,
    endpoint (a rename that is not just a blueprint prefix).
    """

    kind: str
    rule: str
    baseline: str
    candidate: str


@dataclass(frozen=True)
class VerifyReport:
    """Everything one ``decompose verify`` run established."""

    baseline: str
    candidate: str
    mode: str  # "import" (subprocess test clients) or "http"
    url_map_checked: bool
    url_map: tuple[UrlMapDifference, ...] = ()
    steps: tuple[StepResult, ...] = ()
    endpoints: tuple[EndpointResult, ...] = ()
    uncovered: tuple[str, ...] = ()  # baseline routes ("METHOD rule") no step exercised
    routes_total: int = 0
    noise_detection: str = "full"  # full | reads-only | off
    notes: tuple[str, ...] = ()

    @property
    def differing(self) -> tuple[EndpointResult, ...]:
        return tuple(e for e in self.endpoints if e.outcome in ("differs", "error"))

    @property
    def passed(self) -> bool:
        return not self.url_map and not self.differing

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1
