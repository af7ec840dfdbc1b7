"""Over HTTP: DryRun (HTTP 412 DryRunOperationException without the plaintext, the real error
when the request would fail, no grant left behind), IncorrectKeyException, rotation material ids."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.helpers import kms_model_requires


def _error(call: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    response: dict[str, Any] = info.value.response
    return response


def test_dry_run_over_http(kms_client: Callable[..., Any]) -> None:
    kms = kms_client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"secret")["CiphertextBlob"]
    # A newer model allows Decrypt's dry run without the ciphertext (tests/kms/test_dry_run.py).
    older = kms_model_requires("Decrypt", "CiphertextBlob")
    blobless: tuple[Any, ...] = () if older else ((kms.decrypt, {"KeyId": key_id}),)
    for call, kwargs in (
        (kms.decrypt, {"CiphertextBlob": blob}),
        *blobless,
        (kms.generate_data_key, {"KeyId": key_id, "KeySpec": "AES_256"}),
        (
            kms.create_grant,
            {"KeyId": key_id, "GranteePrincipal": "arn:aws:iam::123456789012:root",
             "Operations": ["Decrypt"]},
        ),
    ):
        response = _error(call, DryRun=True, **kwargs)
        assert response["Error"]["Code"] == "DryRunOperationException"
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 412
        assert "Plaintext" not in response
    assert kms.list_grants(KeyId=key_id)["Grants"] == []
    kms.disable_key(KeyId=key_id)
    response = _error(kms.decrypt, CiphertextBlob=blob, DryRun=True)
    assert response["Error"]["Code"] == "DisabledException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_incorrect_key_over_http(kms_client: Callable[..., Any]) -> None:
    kms = kms_client()
    owner = kms.create_key()["KeyMetadata"]["KeyId"]
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=owner, Plaintext=b"p")["CiphertextBlob"]
    response = _error(kms.decrypt, CiphertextBlob=blob, KeyId=other)
    assert response["Error"]["Code"] == "IncorrectKeyException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_rotation_material_ids_over_http(kms_client: Callable[..., Any]) -> None:
    kms = kms_client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    first = kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"p")["CiphertextBlob"]
    kms.rotate_key_on_demand(KeyId=key_id)
    second = kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    assert second != first
    assert [r["KeyMaterialId"] for r in kms.list_key_rotations(KeyId=key_id)["Rotations"]] == [
        second
    ]
    assert kms.decrypt(CiphertextBlob=blob)["KeyMaterialId"] == first


def test_validation_over_http(kms_client: Callable[..., Any]) -> None:
    kms = kms_client(parameter_validation=False)
    response = _error(kms.create_key, Description="d" * (1024 * 1024))
    assert response["Error"]["Code"] == "ValidationException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Message"].endswith(
        "at 'description' failed to satisfy constraint: "
        "Member must have length less than or equal to 8192"
    )
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    response = _error(kms.encrypt, KeyId=key_id, Plaintext=b"S" * 4097)
    assert response["Error"]["Message"].startswith("1 validation error detected: Value at ")
