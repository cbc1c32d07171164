from __future__ import annotations

import json

import pytest

from decompose.verify.record import corpus_from_records
from decompose.verify.scenario import ScenarioError


def line(method: str, path: str, response: dict, **extra) -> str:
    return json.dumps({"method": method, "path": path, "response": response, **extra})


def test_tokens_and_created_ids_become_captures() -> None:
    token = "abcdef0123456789abcdef"
    text = "\n".join(
        [
            line("POST", "/login", {"status": 200, "json": {"access_token": token}}, json={"u": "x"}),
            line("POST", "/items", {"status": 201, "json": {"id": 17, "name": "x"}},
                 headers={"Authorization": f"Bearer {token}"}, json={"name": "x"}),
            line("GET", "/items/17", {"status": 200}, headers={"Authorization": f"Bearer {token}"}),
            line("GET", "/items/3", {"status": 200}, query=[["q", "1"]]),
        ]
    )
    (scenario,) = corpus_from_records(text, "t.jsonl").scenarios
    login, create, read, other = scenario.steps
    assert login.capture == (("access_token", "$.access_token"),)
    assert create.headers == (("Authorization", "Bearer {{access_token}}"),)
    assert create.capture == (("id", "$.id"),) and create.json == {"name": "x"}
    assert read.path == "/items/{{id}}"
    assert other.path == "/items/3" and other.query == (("q", "1"),)


def test_bad_lines_are_reported_with_their_number() -> None:
    with pytest.raises(ScenarioError, match=r"t.jsonl:2: field 'path'"):
        corpus_from_records('{"method": "GET", "path": "/"}\n{"method": "GET"}\n', "t.jsonl")
    with pytest.raises(ScenarioError, match=r"t.jsonl:1: not a JSON object"):
        corpus_from_records("nope\n", "t.jsonl")
