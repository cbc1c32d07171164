from __future__ import annotations

from pathlib import Path

import pytest

from decompose.verify import scenario
from decompose.verify.scenario import ScenarioError

GOOD = """\
version: 1
variables: {user: demo}
scenarios:
  - name: login
    headers: {Authorization: "Bearer {{token}}"}
    steps:
      - name: login
        method: post
        path: /login
        json: {username: "{{user}}", n: 3}
        capture: {token: $.access_token, where: "header:Location"}
      - path: /items/{{id}}
        query: {page: 2}
      - method: PUT
        path: /x
        form: {a: 1}
"""


def test_a_good_file_loads() -> None:
    corpus = scenario.parse_text(GOOD, "c.yaml")
    (login,) = corpus.scenarios
    first, second, third = login.steps
    assert first.method == "POST" and first.json == {"username": "{{user}}", "n": 3}
    assert first.capture == (("token", "$.access_token"), ("where", "header:Location"))
    assert second.query == (("page", "2"),) and second.line == 12
    assert third.form == (("a", "1"),)
    assert dict(corpus.variables) == {"user": "demo"}
    assert login.headers == (("Authorization", "Bearer {{token}}"),)


def test_dump_then_load_gives_the_same_corpus() -> None:
    corpus = scenario.parse_text(GOOD, "c.yaml")
    again = scenario.parse_text(scenario.dump(corpus), "c.yaml")
    strip = lambda c: [[s.__dict__ | {"line": 0} for s in sc.steps] for sc in c.scenarios]  # noqa: E731
    assert strip(again) == strip(corpus)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("scenarios:\n  - steps:\n      - path: /a\n        metod: GET\n", "c.yaml:4: unknown field 'metod' in step 1 of scenario 'scenario 1'"),
        ("scenarios:\n  - steps:\n      - path: a\n", "c.yaml:3: field 'path' of step 1"),
        ("scenarios:\n  - steps:\n      - path: /a\n        method: FETCH\n", "c.yaml:4: field 'method'"),
        ("scenarios:\n  - steps:\n      - path: /a\n        headers: [1]\n", "c.yaml:4: field 'headers' of step 1"),
        ("scenarios:\n  - steps:\n      - path: /a\n        json: {}\n        form: {}\n", "c.yaml:5: step 1 of scenario 'scenario 1' has both 'json' and 'form'"),
        ("scenarios:\n  - steps:\n      - path: /a\n        capture: {t: access_token}\n", "c.yaml:4: field capture.t"),
        ("scenarios: []\n", "c.yaml:1: field 'scenarios' must be a non-empty list"),
        ("version: 2\nscenarios: []\n", "c.yaml:1: version 2"),
        ("scenarios:\n  - steps: [\n", "c.yaml:3: not valid YAML"),
        ("scenarios:\n  - name: x\n    step: []\n", "c.yaml:3: unknown field 'step' in scenario 1"),
    ],
)
def test_bad_files_name_line_and_field(text: str, message: str) -> None:
    with pytest.raises(ScenarioError) as info:
        scenario.parse_text(text, "c.yaml")
    assert str(info.value).startswith(message), str(info.value)


def test_json_files_report_json_errors_and_bad_fields_with_lines(tmp_path: Path) -> None:
    broken = tmp_path / "b.json"
    broken.write_text('{"scenarios": [\n  {"steps": [}\n]}\n')
    with pytest.raises(ScenarioError, match=r"b.json:2: not valid JSON"):
        scenario.load(broken)
    bad = tmp_path / "c.json"
    bad.write_text('{"scenarios": [\n  {"steps": [\n    {"path": "/a",\n     "bogus": 1}]}]}\n')
    with pytest.raises(ScenarioError, match=r"c.json:4: unknown field 'bogus'"):
        scenario.load(bad)


def test_missing_file() -> None:
    with pytest.raises(ScenarioError, match="does not exist"):
        scenario.load("/nonexistent/x.yaml")
