"""Type checks of a request body against botocore's service model, before any action runs.

moto's KMS actions read the JSON body without looking at types, so a request that a real client
never sends (``{"KeyId": 5}``, a missing ``KeyId``, a body that is not JSON) ended in a Python
error and HTTP 500. AWS answers those with HTTP 400: ``SerializationException`` for a value of
the wrong JSON type or a body that is not a JSON object, ``ValidationException`` for a missing
required member. Only JSON types and presence are checked here; lengths, enums and patterns stay
with the actions, which word them as AWS does.

The same check serves every AWS JSON service this project answers for: KMS (every action, before
it runs) and CloudTrail (``LookupEvents``, ours); ``service`` names botocore's service model.
"""

from __future__ import annotations

import base64
import binascii
import functools
import math
from typing import Any

from botocore.model import OperationNotFoundError

from .errors import SerializationException
from .params import _invalid

_NOT_OBJECT = "Start of structure or map found where not expected."

#: Members the service model leaves optional but without which the operation means nothing
#: (moto's actions then fail on ``None``); AWS refuses such a request as a validation error.
_ALSO_REQUIRED = {
    ("kms", "Decrypt"): ("CiphertextBlob",),
    ("kms", "ReEncrypt"): ("CiphertextBlob",),
}


@functools.cache
def service_model(service: str) -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model(service)


def check_request(operation: str, data: dict[str, Any], service: str = "kms") -> None:
    """Raise the AWS error for a request (its parsed JSON object, see ``_params.parse_body``)
    that does not fit ``operation``'s input shape in botocore's model of ``service``."""
    shape = input_shape(service, operation)
    if shape is None:
        return  # not an operation botocore knows, or one without input: moto answers it
    for name in _ALSO_REQUIRED.get((service, operation), ()):
        if data.get(name) is None and not _dry_run_without(operation, name, data):
            raise _invalid(name, None, "Member must not be null")
    _structure(shape, data, "")


@functools.cache
def input_shape(service: str, operation: str) -> Any:
    """``operation``'s input shape in ``service``'s model; None when it has none or botocore
    does not know the operation. Asked on every request, so botocore's lookups are done once."""
    try:
        return service_model(service).operation_model(operation).input_shape
    except OperationNotFoundError:
        return None


def _dry_run_without(operation: str, name: str, data: dict[str, Any]) -> bool:
    # Decrypt's dry run with a KeyId checks the key alone (the model makes the blob optional).
    return (
        operation == "Decrypt"
        and name == "CiphertextBlob"
        and data.get("DryRun") is True
        and bool(data.get("KeyId"))
    )


def _structure(shape: Any, value: dict[str, Any], path: str) -> None:
    for name in shape.required_members:
        if value.get(name) is None:
            raise _invalid(f"{path}{name}", None, "Member must not be null")
    for name, member in shape.members.items():
        if value.get(name) is not None:
            _value(member, value[name], f"{path}{name}")


def _expected(what: str, path: str) -> SerializationException:
    return SerializationException(f"Expected {what} for {path}.")


def _value(shape: Any, value: Any, path: str) -> None:
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise _expected("an object", path)
        _structure(shape, value, f"{path}.")
    elif kind == "list":
        if not isinstance(value, list):
            raise _expected("a list", path)
        for item in value:
            if item is None:
                raise _expected("a value, not null,", f"{path} member")
            _value(shape.member, item, f"{path} member")
    elif kind == "map":
        if not isinstance(value, dict):
            raise _expected("an object", path)
        for item in value.values():
            if item is None:
                raise _expected("a value, not null,", f"{path} entry")
            _value(shape.value, item, f"{path} entry")
    elif kind == "string":
        if not isinstance(value, str):
            raise _expected("a string", path)
    elif kind == "blob":
        if not isinstance(value, str):
            raise _expected("a base64-encoded string", path)
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise SerializationException(f"Value for {path} is not valid base64.") from exc
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise _expected("a boolean", path)
    elif kind in ("integer", "long", "float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _expected("a number", path)
        if kind in ("integer", "long") and not (
            isinstance(value, int) or (math.isfinite(value) and value.is_integer())
        ):
            raise _expected("an integer", path)
    elif kind == "timestamp" and (
        isinstance(value, bool) or not isinstance(value, (int, float, str))
    ):
        raise _expected("a timestamp", path)
