"""Replay a corpus on primary, candidate and secondary, step by step, and judge each step.

Each step is sent to the primary, then the candidate, then the secondary. Values derived from
the clock then satisfy primary <= candidate <= secondary, so whenever a timestamp (or a token
that embeds one) is equal in both baseline runs, it is equal in the candidate too: a clock
value can make a path noise, but never a false difference.

Variables (``{{name}}``) are kept per role: a token or a created id captured from one target's
response is only ever sent back to that target.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from decompose.model.verify import Difference, StepResult
from decompose.verify import jsonpath
from decompose.verify.diff import MISSING, Response, diff_responses, show
from decompose.verify.noise import classify
from decompose.verify.scenario import Corpus, Scenario, Step
from decompose.verify.targets import Reply, Target

_VAR = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class MissingVariable(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def substitute(value: Any, variables: dict[str, Any]) -> Any:
    """Fill ``{{name}}`` in strings, recursively; a string that is only ``{{name}}`` takes the
    variable's value with its JSON type (an id stays a number)."""
    if isinstance(value, str):
        whole = _VAR.fullmatch(value.strip())
        if whole:
            name = whole.group(1)
            if name not in variables:
                raise MissingVariable(name)
            return variables[name]

        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in variables:
                raise MissingVariable(name)
            found = variables[name]
            return found if isinstance(found, str) else jsonpath_text(found)

        return _VAR.sub(one, value)
    if isinstance(value, dict):
        return {k: substitute(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    return value


def jsonpath_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _text(value: Any, variables: dict[str, Any]) -> str:
    result = substitute(value, variables)
    return result if isinstance(result, str) else jsonpath_text(result)


def prepare(step: Step, scenario: Scenario, variables: dict[str, Any]) -> dict[str, Any]:
    """The request for one role, with that role's variables filled in."""
    headers: dict[str, str] = {}
    for name, value in scenario.headers:
        try:  # scenario headers apply once their variables exist (e.g. after login)
            headers[name] = _text(value, variables)
        except MissingVariable:
            pass
    for name, value in step.headers:
        headers[name] = _text(value, variables)
    request: dict[str, Any] = {
        "method": step.method,
        "path": _text(step.path, variables),
        "query": [[k, _text(v, variables)] for k, v in step.query],
        "headers": [[k, v] for k, v in headers.items() if v != ""],
        "has_json": step.has_json,
    }
    if step.has_json:
        request["json"] = substitute(step.json, variables)
    if step.form is not None:
        request["form"] = [[k, _text(v, variables)] for k, v in step.form]
    if step.data is not None:
        request["data"] = _text(step.data, variables)
    return request


def capture(step: Step, response: Response, variables: dict[str, Any]) -> None:
    """Store the step's captures from ``response``; a capture that finds nothing stays unset."""
    document = None
    for name, spec in step.capture:
        if spec.lower().startswith("header:"):
            value = response.header(spec.split(":", 1)[1].strip())
            if value is not None:
                variables[name] = value
            continue
        if document is None:
            document = response.json()
        if document is MISSING:
            continue
        try:
            variables[name] = jsonpath.get(document, spec)
        except KeyError:
            continue


@dataclass
class _Sent:
    reply: Reply | None
    missing: str | None = None  # the variable that could not be filled
    path: str = ""


class Replayer:
    """Drives the targets through a corpus and classifies every step."""

    def __init__(
        self,
        primary: Target,
        candidate: Target,
        secondary: Target | None,
        *,
        headers: Sequence[str],
        ignore: Sequence[re.Pattern[str]] = (),
        secondary_for_writes: bool = True,
        renames: dict[str, str] | None = None,
    ) -> None:
        self.primary, self.candidate, self.secondary = primary, candidate, secondary
        self.renames = dict(renames or {})
        self.headers = tuple(headers)
        self.ignore = tuple(ignore)
        self.secondary_for_writes = secondary_for_writes
        #: seconds the apps spent answering (inside their processes), for benchmarks
        self.app_seconds = 0.0

    def run(self, corpus: Corpus) -> list[StepResult]:
        start = dict(corpus.variables)
        variables: dict[str, dict[str, Any]] = {
            "primary": dict(start),
            "secondary": dict(start),
            "candidate": dict(start),
        }
        results = []
        for scenario in corpus.scenarios:
            for index, step in enumerate(scenario.steps, start=1):
                results.append(self._step(scenario, index, step, variables))
        return results

    def _send(self, target: Target, step: Step, scenario: Scenario, variables: dict[str, Any]) -> _Sent:
        try:
            request = prepare(step, scenario, variables)
        except MissingVariable as exc:
            return _Sent(None, missing=exc.name)
        reply = target.send(request)
        self.app_seconds += reply.seconds
        if reply.response is not None:
            capture(step, reply.response, variables)
        return _Sent(reply, path=request["path"])

    def _step(
        self, scenario: Scenario, index: int, step: Step, variables: dict[str, dict[str, Any]]
    ) -> StepResult:
        primary = self._send(self.primary, step, scenario, variables["primary"])
        candidate = self._send(self.candidate, step, scenario, variables["candidate"])
        secondary = None
        if self.secondary is not None and (
            self.secondary_for_writes or step.method in SAFE_METHODS
        ):
            # One server asked twice (HTTP reads-only mode) has one set of variables.
            role = "primary" if self.secondary is self.primary else "secondary"
            secondary = self._send(self.secondary, step, scenario, variables[role])

        endpoint = (
            (primary.reply.rule if primary.reply else None)
            or step.route
            or f"{step.method} {primary.path or step.path}"
        )
        base = StepResult(
            scenario=scenario.name,
            index=index,
            name=step.label,
            method=step.method,
            path=primary.path or step.path,
            endpoint=endpoint,
            outcome="same",
        )
        problem = _failure("baseline", primary)
        if problem:
            return replace(base, outcome="error", error=problem)
        assert primary.reply is not None and primary.reply.response is not None
        base = replace(base, status=primary.reply.response.status)
        problem = _failure("candidate", candidate)
        if problem:
            return replace(
                base, outcome="differs", differences=(Difference("request", "answered", problem),)
            )
        assert candidate.reply is not None and candidate.reply.response is not None
        noise = None
        if secondary is not None:
            problem = _failure("baseline (secondary run)", secondary)
            if problem:
                return replace(base, outcome="error", error=problem)
            assert secondary.reply is not None and secondary.reply.response is not None
            noise = diff_responses(
                primary.reply.response, secondary.reply.response, self.headers
            )
        raw = diff_responses(
            primary.reply.response, candidate.reply.response, self.headers, self.renames
        )
        judged = classify(noise, raw, self.ignore)
        renamed: tuple[str, ...] = ()
        if self.renames:
            seen = {d.path for d in raw}
            literal = diff_responses(primary.reply.response, candidate.reply.response, self.headers)
            renamed = tuple(
                f"{d.path} (endpoint rename {show(d.candidate)})"
                for d in literal
                if d.path not in seen
            )
        differences = tuple(Difference(d.path, show(d.baseline), show(d.candidate)) for d in judged.real)
        if differences:
            outcome = "differs"
        elif judged.noise or renamed:
            outcome = "noise only"
        else:
            outcome = "same"
        return replace(
            base, outcome=outcome, differences=differences, noise=judged.noise + renamed
        )


def _failure(who: str, sent: _Sent) -> str | None:
    if sent.missing is not None:
        return (
            f"the {who} has no value for {{{{{sent.missing}}}}} (the step that should capture "
            "it did not find it)"
        )
    assert sent.reply is not None
    if sent.reply.error is not None:
        return f"the {who} raised {sent.reply.error}"
    return None
