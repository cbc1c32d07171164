"""Every codemod's inline VALID/INVALID examples, plus "applied twice = applied once"."""

from __future__ import annotations

import importlib

import libcst as cst
import pytest
from libcst.codemod import CodemodContext

from decompose.codemods import REGISTRY
from decompose.codemods._examples import Example

CASES = [
    pytest.param(cls, example, id=f"{name}: {example.name}")
    for name, cls in sorted(REGISTRY.items())
    for example in importlib.import_module(cls.__module__).EXAMPLES
]


def run(cls: type, code: str, args: dict) -> str:
    command = cls(CodemodContext(), **args)
    return command.transform_module(cst.parse_module(code)).code


@pytest.mark.parametrize(("cls", "example"), CASES)
def test_example(cls: type, example: Example) -> None:
    assert run(cls, example.before, example.args) == example.expected


@pytest.mark.parametrize(("cls", "example"), CASES)
def test_applied_twice_is_applied_once(cls: type, example: Example) -> None:
    once = run(cls, example.before, example.args)
    assert run(cls, once, example.args) == once


def test_every_codemod_has_valid_and_invalid_examples() -> None:
    for name, cls in REGISTRY.items():
        examples = importlib.import_module(cls.__module__).EXAMPLES
        assert any(e.after is None for e in examples), f"{name} has no unchanged (VALID) example"
        assert any(e.after is not None for e in examples), f"{name} has no rewrite example"
        assert cls.__doc__ and cls.DESCRIPTION, name
