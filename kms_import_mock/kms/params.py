"""Parsing request bodies of the import operations into typed values, AWS-style.

Requests arrive as AWS JSON 1.1: blobs are base64 strings, timestamps epoch seconds. Anything
malformed becomes a ``ValidationException`` (or ``SerializationException`` for a body that is not
a JSON object) with the message form AWS uses, never a Python error. Constraints are those of
botocore's KMS service model.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import json
import math
import re
from typing import Any

from .errors import SerializationException, ValidationException


def _field(name: str) -> str:
    # AWS names the member in lowerCamelCase in validation messages.
    return name[:1].lower() + name[1:]


def _invalid(name: str, value: object, constraint: str) -> ValidationException:
    shown = "null" if value is None else f"'{value}'"
    return ValidationException(
        f"1 validation error detected: Value {shown} at '{_field(name)}' failed to satisfy "
        f"constraint: {constraint}"
    )


_NOT_OBJECT = "Start of structure or map found where not expected."


def _not_json(constant: str) -> Any:
    # Python's json accepts NaN and Infinity; JSON (and AWS) does not.
    raise ValueError(f"{constant} is not JSON")


#: How deep a request body may nest. No KMS request goes beyond four levels (a grant's
#: constraints); AWS refuses bodies nested far deeper as unreadable. Python's own parser is no
#: guide: before 3.12 it gave up near 1,000 levels (RecursionError), since then it goes on.
MAX_DEPTH = 100
_STRUCTURAL = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def nested_too_deep(body: str | bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether ``body``'s arrays and objects nest more than ``limit`` levels (strings skipped)."""
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    if raw.count(b"[") + raw.count(b"{") <= limit:  # the common case, counted in C
        return False
    depth = 0
    for match in _STRUCTURAL.finditer(raw):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False


def parse_body(body: str | bytes | None) -> dict[str, Any]:
    """The request's JSON object; an empty body is ``{}``. Anything else is not a request."""
    if body and nested_too_deep(body):
        raise SerializationException(_NOT_OBJECT)
    try:
        data = json.loads(body or "{}", parse_constant=_not_json)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        # RecursionError: nested too deep for this Python's parser within MAX_DEPTH's bound
        raise SerializationException(_NOT_OBJECT) from exc
    if not isinstance(data, dict):
        raise SerializationException(_NOT_OBJECT)
    return data


class Params:
    """The JSON object of one request, with typed accessors that validate as they read."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def _raw(self, name: str, required: bool) -> Any:
        value = self._data.get(name)
        if value is None and required:
            raise _invalid(name, None, "Member must not be null")
        return value

    def string(
        self,
        name: str,
        *,
        required: bool = False,
        enum: tuple[str, ...] | None = None,
        min_len: int | None = None,
        max_len: int | None = None,
        pattern: str | None = None,
    ) -> str | None:
        value = self._raw(name, required)
        if value is None:
            return None
        if not isinstance(value, str):
            raise SerializationException(f"Expected a string for {name}.")
        if enum is not None and value not in enum:
            raise _invalid(name, value, f"Member must satisfy enum value set: [{', '.join(enum)}]")
        if min_len is not None and len(value) < min_len:
            raise _invalid(
                name, value, f"Member must have length greater than or equal to {min_len}"
            )
        if max_len is not None and len(value) > max_len:
            raise _invalid(name, value, f"Member must have length less than or equal to {max_len}")
        if pattern is not None and not re.fullmatch(pattern, value):
            raise _invalid(
                name, value, f"Member must satisfy regular expression pattern: {pattern}"
            )
        return value

    def required_string(self, name: str, **kwargs: Any) -> str:
        value = self.string(name, required=True, **kwargs)
        assert value is not None
        return value

    def integer(self, name: str, *, min_value: int, max_value: int) -> int | None:
        value = self._raw(name, False)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise SerializationException(f"Expected an integer for {name}.")
        if value < min_value:
            raise _invalid(
                name, value, f"Member must have value greater than or equal to {min_value}"
            )
        if value > max_value:
            raise _invalid(name, value, f"Member must have value less than or equal to {max_value}")
        return value

    def blob(self, name: str, *, max_len: int = 6144) -> bytes:
        value = self._raw(name, True)
        if not isinstance(value, str):
            raise SerializationException(f"Expected a base64-encoded string for {name}.")
        try:
            decoded = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise SerializationException(f"Value for {name} is not valid base64.") from exc
        if not decoded:
            raise _invalid(name, "", "Member must have length greater than or equal to 1")
        if len(decoded) > max_len:
            raise _invalid(
                name, "<blob>", f"Member must have length less than or equal to {max_len}"
            )
        return decoded

    def timestamp(self, name: str) -> _dt.datetime | None:
        value = self._raw(name, False)
        if value is None:
            return None
        if isinstance(value, bool):
            raise SerializationException(f"Expected a timestamp for {name}.")
        if isinstance(value, (int, float)):
            if not math.isfinite(value) or abs(value) > 253402300799:  # year 9999
                raise _invalid(name, value, "Member must be a valid timestamp")
            return _dt.datetime.fromtimestamp(value, _dt.timezone.utc)
        if isinstance(value, str):
            try:
                parsed = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                try:
                    return self._epoch(name, float(value))
                except ValueError as exc:
                    raise SerializationException(f"Expected a timestamp for {name}.") from exc
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=_dt.timezone.utc)
            return parsed
        raise SerializationException(f"Expected a timestamp for {name}.")

    def _epoch(self, name: str, value: float) -> _dt.datetime:
        if not math.isfinite(value) or abs(value) > 253402300799:
            raise _invalid(name, value, "Member must be a valid timestamp")
        return _dt.datetime.fromtimestamp(value, _dt.timezone.utc)
