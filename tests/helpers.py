"""Small helpers shared by the tests: wrap-and-import in one call, error assertions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from kms_import_mock import wrap_key_material
from kms_import_mock.crypto.keyspecs import preferred_wrapping


def import_material(
    kms: Any,
    key_id: str,
    material: bytes,
    *,
    wrapping_algorithm: str | None = None,
    wrapping_key_spec: str | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    spec = kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeySpec"]
    alg, wks = preferred_wrapping(spec)
    params = kms.get_parameters_for_import(
        KeyId=key_id,
        WrappingAlgorithm=wrapping_algorithm or alg,
        WrappingKeySpec=wrapping_key_spec or wks,
    )
    if "ValidTo" not in kwargs and "ExpirationModel" not in kwargs:
        kwargs["ExpirationModel"] = "KEY_MATERIAL_DOES_NOT_EXPIRE"
    result: dict[str, Any] = kms.import_key_material(
        KeyId=key_id,
        ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=wrap_key_material(
            params["PublicKey"], material, wrapping_algorithm or alg
        ),
        **kwargs,
    )
    return result


def aws_error(call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, str]:
    """Run a boto3 call that must fail; return (code, message) after checking HTTP 400."""
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    response = info.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return response["Error"]["Code"], response["Error"].get("Message", "")


def key_state(kms: Any, key_id: str) -> str:
    state: str = kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]
    return state


def in_days(days: float) -> dt.datetime:
    from kms_import_mock.kms import clock as _clock

    return _clock.now() + dt.timedelta(days=days)


# -- what the installed botocore's KMS model describes -------------------------------------
# The supported botocore range spans KMS model releases: an older botocore has no Encapsulate,
# no ML-KEM specs and no Ed25519 data key pairs. The mock serves what the installed model
# describes (as a client built on it could only send that), so a test of a newer part checks
# that part where the model has it and the documented refusal where it does not.


def kms_model_has_operation(operation: str) -> bool:
    from kms_import_mock.kms.shapes import service_model

    return operation in service_model("kms").operation_names


def kms_model_requires(operation: str, member: str) -> bool:
    """Whether the installed botocore's KMS model makes ``member`` of ``operation`` required
    (older models require Decrypt's CiphertextBlob, newer ones allow a DryRun without it)."""
    from kms_import_mock.kms.shapes import service_model

    shape = service_model("kms").operation_model(operation).input_shape
    return shape is not None and member in shape.required_members


def kms_model_has_value(shape: str, value: str) -> bool:
    from kms_import_mock.kms.shapes import service_model

    return value in (service_model("kms").shape_for(shape).enum or ())
