"""How deep a request body may nest: the same limit on every Python, whatever its parser does."""

from __future__ import annotations

import json

import pytest

from kms_import_mock.kms.errors import SerializationException
from kms_import_mock.kms.params import MAX_DEPTH, nested_too_deep, parse_body


def test_bodies_nested_beyond_the_limit_are_refused_on_every_python() -> None:
    at_limit = '{"a":' * (MAX_DEPTH - 1) + "[]" + "}" * (MAX_DEPTH - 1)
    assert not nested_too_deep(at_limit)
    assert parse_body(at_limit)["a"]
    beyond = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    assert nested_too_deep(beyond)
    with pytest.raises(SerializationException):
        parse_body('{"KeyId": ' + beyond + "}")


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = json.dumps({"Description": "[{" * 500 + '\\"' + "}]" * 500})
    assert not nested_too_deep(text)
    assert not nested_too_deep(text.encode())
