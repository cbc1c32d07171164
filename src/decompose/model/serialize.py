"""Round-trip the model's frozen dataclasses through plain JSON-able dicts.

``to_dict`` / ``from_dict`` work for every dataclass of this package (fields of dataclasses,
tuples, enums, ``str | None``, numbers, booleans), so results can be cached, baselined and
compared without pickle (a cache file in a project directory must never be able to run code).
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar, Union, get_args, get_origin

T = TypeVar("T")


def to_dict(obj: Any) -> Any:
    """Turn a dataclass (recursively) into dicts, lists and scalars."""
    names = _field_names(type(obj))  # type: ignore[arg-type]
    if names is not None:
        return {n: to_dict(getattr(obj, n)) for n in names}
    if isinstance(obj, enum.Enum):
        return obj.name
    if isinstance(obj, (tuple, list)):
        return [to_dict(x) for x in obj]
    return obj


@cache
def _field_names(tp: type) -> tuple[str, ...] | None:
    if dataclasses.is_dataclass(tp):
        return tuple(f.name for f in dataclasses.fields(tp))
    return None


def from_dict(cls: type[T], data: Any) -> T:
    """The inverse of :func:`to_dict` for the annotated type ``cls``."""
    return typing.cast(T, _builder(cls)(data))  # type: ignore[arg-type]


def _identity(value: Any) -> Any:
    return value


@cache
def _builder(tp: Any) -> Callable[[Any], Any]:
    """A function turning the JSON form of ``tp`` back into ``tp`` (built once per type)."""
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(tp) if a is not type(None)]
        inner = _builder(options[0])
        if inner is _identity:
            return _identity
        return lambda d: None if d is None else inner(d)
    if origin is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _builder(args[0])
            if item is _identity:
                return tuple
            return lambda d: tuple(map(item, d))
        items = [_builder(a) for a in args]
        return lambda d: tuple(b(x) for b, x in zip(items, d, strict=True))
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        plain = [f.name for f in dataclasses.fields(tp) if _builder(hints[f.name]) is _identity]
        built = [(f.name, _builder(hints[f.name])) for f in dataclasses.fields(tp) if _builder(hints[f.name]) is not _identity]

        def build(d: Any) -> Any:
            kwargs = {n: d[n] for n in plain if n in d}
            for n, b in built:
                if n in d:
                    kwargs[n] = b(d[n])
            return tp(**kwargs)

        return build
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return lambda d: tp[d]
    return _identity
