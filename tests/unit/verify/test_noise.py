from __future__ import annotations

from decompose.verify import jsonpath
from decompose.verify.diff import RawDifference
from decompose.verify.noise import classify


def d(path: str) -> RawDifference:
    return RawDifference(path, 1, 2)


def test_a_path_noisy_between_baseline_runs_is_not_real() -> None:
    result = classify([d("$.created_at")], [d("$.created_at"), d("$.name")])
    assert [x.path for x in result.real] == ["$.name"]
    assert result.noise == ("$.created_at",)


def test_noise_covers_what_is_below_it_but_not_above_or_beside() -> None:
    result = classify(
        [d("$.items[2]"), d("$.token")],
        [d("$.items[2].name"), d("$.items"), d("$.items[20]"), d("$.tokens")],
    )
    assert [x.path for x in result.real] == ["$.items", "$.items[20]", "$.tokens"]


def test_without_a_secondary_run_only_ignore_patterns_filter() -> None:
    ignore = [jsonpath.compile_pattern("$.items[*].stamp"), jsonpath.compile_pattern("header:Date")]
    result = classify(None, [d("$.items[3].stamp"), d("$.items[3].name"), d("header:Date")], ignore)
    assert [x.path for x in result.real] == ["$.items[3].name"]


def test_a_whole_noisy_body_hides_its_lines() -> None:
    assert classify([d("body")], [d("body:line 3")]).real == ()


def test_configured_ignores_are_labelled() -> None:
    ignore = [jsonpath.compile_pattern("$.took_ms")]
    result = classify([d("$.at")], [d("$.took_ms"), d("$.at")], ignore)
    assert result.real == () and result.noise == ("$.at", "$.took_ms (ignore)")
