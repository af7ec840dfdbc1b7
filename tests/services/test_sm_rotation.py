"""Secrets Manager rotation versions carry a data key like any other version, in-process."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from kms_import_mock import mock_kms_import
from tests.helpers import aws_error
from tests.services.test_lambda import NO_DOCKER, _function


def _generated_for(handle: Any) -> list[str]:
    """The SecretVersionId of every data key Secrets Manager generated, oldest first."""
    return [
        e["requestParameters"]["encryptionContext"]["SecretVersionId"]
        for e in handle.events("GenerateDataKey")
        if e["userIdentity"].get("invokedBy") == "secretsmanager.amazonaws.com"
    ]


def _ids(sm: Any) -> list[str]:
    return sorted(v["VersionId"] for v in sm.list_secret_version_ids(SecretId="s")["Versions"])


def test_a_rotation_copy_needs_the_key(kms_import: Any, imported: Any) -> None:
    sm = boto3.client("secretsmanager", region_name="us-east-1")
    sm.create_secret(Name="s", SecretString="v1", KmsKeyId=imported.key_id)
    sm.rotate_secret(SecretId="s", RotateImmediately=False)  # moto copies the value
    current = sm.get_secret_value(SecretId="s")
    assert current["SecretString"] == "v1"
    assert _generated_for(kms_import)[-1] == current["VersionId"]

    kms_import.client().delete_imported_key_material(KeyId=imported.key_id)
    code, message = aws_error(sm.get_secret_value, SecretId="s")
    assert code == "DecryptionFailure" and f"{imported.arn} is pending import." in message
    before = _ids(sm)
    code, message = aws_error(sm.rotate_secret, SecretId="s", RotateImmediately=False)
    assert code == "InvalidRequestException"  # RotateSecret's model has no EncryptionFailure
    assert message.startswith("Secrets Manager can't encrypt the protected secret text")
    assert f"{imported.arn} is pending import." in message
    assert _ids(sm) == before  # the refused rotation made no version

    kms_import.import_key_material(imported.key_id, imported.key_material)
    assert sm.get_secret_value(SecretId="s")["SecretString"] == "v1"


@pytest.fixture
def with_lambda() -> Any:
    with mock_kms_import(config=NO_DOCKER) as handle:
        yield handle


def test_the_pending_version_and_the_functions_put_follow_the_key(with_lambda: Any) -> None:
    handle, sm = with_lambda, boto3.client("secretsmanager", region_name="us-east-1")
    key = handle.create_imported_key()
    sm.create_secret(Name="s", SecretString="v1", KmsKeyId=key.key_id)
    sm.rotate_secret(SecretId="s", RotationLambdaARN=_function(), RotateImmediately=False)
    pending = sm.get_secret_value(SecretId="s", VersionStage="AWSPENDING")
    assert pending["SecretString"] == "v1"  # moto's AWSPENDING copy, sealed
    assert _generated_for(handle)[-1] == pending["VersionId"]

    # What the rotation function's createSecret step does: PutSecretValue of AWSPENDING.
    sm.put_secret_value(
        SecretId="s", ClientRequestToken=pending["VersionId"], SecretString="v2",
        VersionStages=["AWSPENDING"],
    )
    assert _generated_for(handle)[-1] == pending["VersionId"]
    handle.client().disable_key(KeyId=key.key_id)
    code, _ = aws_error(sm.get_secret_value, SecretId="s", VersionStage="AWSPENDING")
    assert code == "DecryptionFailure"
    assert aws_error(
        sm.put_secret_value, SecretId="s", SecretString="v3", VersionStages=["AWSPENDING"]
    )[0] == "EncryptionFailure"
    handle.client().enable_key(KeyId=key.key_id)
    again = sm.get_secret_value(SecretId="s", VersionStage="AWSPENDING")
    assert again["SecretString"] == "v2"
