from __future__ import annotations

import pytest

from decompose.verify.diff import Response
from decompose.verify.replay import MissingVariable, capture, prepare, substitute
from decompose.verify.scenario import Scenario, Step


def test_substitute_keeps_the_type_of_a_whole_variable() -> None:
    variables = {"id": 7, "name": "x"}
    assert substitute({"a": "{{id}}", "b": ["/w/{{id}}", "{{ name }}"]}, variables) == {
        "a": 7,
        "b": ["/w/7", "x"],
    }
    with pytest.raises(MissingVariable):
        substitute("{{nope}}", variables)


def test_scenario_headers_wait_for_their_variables() -> None:
    scenario = Scenario("s", (), headers=(("Authorization", "Bearer {{token}}"),))
    step = Step(path="/w/{{id}}", method="POST", json={"id": "{{id}}"}, has_json=True)
    before = prepare(step, scenario, {"id": 3})
    assert before["headers"] == [] and before["path"] == "/w/3" and before["json"] == {"id": 3}
    after = prepare(step, scenario, {"id": 3, "token": "t"})
    assert after["headers"] == [["Authorization", "Bearer t"]]


def test_step_headers_need_their_variables() -> None:
    with pytest.raises(MissingVariable):
        prepare(Step(path="/", headers=(("X", "{{k}}"),)), Scenario("s", ()), {})


def test_capture_from_json_and_header() -> None:
    response = Response(
        201, (("Content-Type", "application/json"), ("Location", "/w/9")), b'{"word": {"id": 9}}'
    )
    step = Step(path="/", capture=(("id", "$.word.id"), ("loc", "header:Location"), ("no", "$.x")))
    variables: dict = {}
    capture(step, response, variables)
    assert variables == {"id": 9, "loc": "/w/9"}
