"""The request constraints of botocore's KMS model (lengths, ranges, patterns), as AWS words them.

moto checks almost none of them (a 1 MiB Description was accepted); AWS refuses the request with
one ValidationException that lists every violated constraint in its service framework's form::

    1 validation error detected: Value 'x...' at 'description' failed to satisfy constraint:
    Member must have length less than or equal to 8192
    2 validation errors detected: Value ... at 'a' failed ...; Value ... at 'b' failed ...

The checks are built from the model once per operation and cached; a request pays only for the
members it sends. Types and presence are ``shapes``' job (it runs first); enums are left to the
actions. Secret values (blobs, and members the model marks sensitive) are never echoed: their
violation names the member alone. Long values are cut in the message (see ``_shown``).
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from collections.abc import Callable
from typing import Any

from . import shapes
from .errors import ValidationException

#: Longest value echoed in a message; longer values are cut (AWS's own limit is not documented).
MAX_SHOWN = 256

_Check = Callable[[Any, str, list[str]], None]


def check(operation: str, data: dict[str, Any]) -> None:
    """Raise AWS's ValidationException when ``data`` (the request's JSON object, already
    type-checked by ``shapes.check_request``) breaks a constraint of ``operation``'s input."""
    checks = _operation_checks(operation)
    if not checks:
        return
    errors: list[str] = []
    for name, member_check in checks.items():
        value = data.get(name)
        if value is not None:
            member_check(value, _field(name), errors)
    if errors:
        count = len(errors)
        raise ValidationException(
            f"{count} validation error{'s' if count > 1 else ''} detected: {'; '.join(errors)}"
        )


def _field(name: str) -> str:
    return name[:1].lower() + name[1:]


@functools.cache
def _operation_checks(operation: str) -> dict[str, _Check]:
    shape = shapes.input_shape("kms", operation)
    if shape is None:
        return {}
    return _members(shape, 0)


def _members(shape: Any, depth: int) -> dict[str, _Check]:
    checks: dict[str, _Check] = {}
    for name, member in shape.members.items():
        member_check = _checker(member, depth)
        if member_check is not None:
            checks[name] = member_check
    return checks


def _checker(shape: Any, depth: int) -> _Check | None:
    """The check of one shape, or None when the model constrains nothing in it."""
    if depth > 8:  # the KMS model nests a few levels; stop on any recursive shape
        return None
    meta = shape.metadata
    kind = shape.type_name
    own: list[_Check] = []
    secret = kind == "blob" or bool(meta.get("sensitive"))
    if "min" in meta or "max" in meta:
        low, high = meta.get("min"), meta.get("max")
        if kind in ("integer", "long"):
            own.append(_range(low, high))
        elif kind in ("string", "blob", "list", "map"):
            own.append(_length(kind, low, high, secret))
    if kind == "string" and "pattern" in meta:
        try:
            compiled = re.compile(meta["pattern"])
        except re.error:
            compiled = None
        if compiled is not None:
            own.append(_pattern(compiled, meta["pattern"], secret))
    if kind == "list":
        item = _checker(shape.member, depth + 1)
        if item is not None:
            own.append(_items(item))
    elif kind == "structure":
        nested = _members(shape, depth + 1)
        if nested:
            own.append(_structure(nested))
    if not own:
        return None

    def run(value: Any, path: str, errors: list[str]) -> None:
        for one in own:
            one(value, path, errors)

    return run


def _shown(value: Any, secret: bool) -> str:
    if secret:
        return "Value"
    if isinstance(value, list):
        text = "[" + ", ".join(str(item) for item in value) + "]"
    else:
        text = str(value)
    if len(text) > MAX_SHOWN:
        text = text[:MAX_SHOWN] + "..."
    return f"Value '{text}'"


def _error(errors: list[str], value: Any, path: str, constraint: str, secret: bool) -> None:
    errors.append(
        f"{_shown(value, secret)} at '{path}' failed to satisfy constraint: {constraint}"
    )


def _size(kind: str, value: Any) -> int | None:
    if kind == "string":
        # AWS counts UTF-16 code units, as Java's String.length() does.
        return len(value.encode("utf-16-le")) // 2 if isinstance(value, str) else None
    if kind == "blob":
        if not isinstance(value, str):
            return None
        try:
            return len(base64.b64decode(value, validate=True))
        except (binascii.Error, ValueError):
            return None
    return len(value) if isinstance(value, (list, dict)) else None


def _length(kind: str, low: int | None, high: int | None, secret: bool) -> _Check:
    def run(value: Any, path: str, errors: list[str]) -> None:
        size = _size(kind, value)
        if size is None:
            return
        if low is not None and size < low:
            _error(
                errors, value, path, f"Member must have length greater than or equal to {low}",
                secret,
            )
        elif high is not None and size > high:
            _error(
                errors, value, path, f"Member must have length less than or equal to {high}",
                secret,
            )

    return run


def _range(low: int | None, high: int | None) -> _Check:
    def run(value: Any, path: str, errors: list[str]) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return
        if low is not None and value < low:
            _error(
                errors, value, path, f"Member must have value greater than or equal to {low}",
                False,
            )
        elif high is not None and value > high:
            _error(
                errors, value, path, f"Member must have value less than or equal to {high}",
                False,
            )

    return run


def _pattern(compiled: re.Pattern[str], pattern: str, secret: bool) -> _Check:
    def run(value: Any, path: str, errors: list[str]) -> None:
        if isinstance(value, str) and compiled.fullmatch(value) is None:
            _error(
                errors, value, path,
                f"Member must satisfy regular expression pattern: {pattern}", secret,
            )

    return run


def _items(item: _Check) -> _Check:
    def run(value: Any, path: str, errors: list[str]) -> None:
        if isinstance(value, list):
            for index, element in enumerate(value, start=1):
                if element is not None:
                    item(element, f"{path}.{index}.member", errors)

    return run


def _structure(nested: dict[str, _Check]) -> _Check:
    def run(value: Any, path: str, errors: list[str]) -> None:
        if isinstance(value, dict):
            for name, member_check in nested.items():
                if value.get(name) is not None:
                    member_check(value[name], f"{path}.{_field(name)}", errors)

    return run
