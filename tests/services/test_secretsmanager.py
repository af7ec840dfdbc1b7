"""Secrets Manager under mock_kms_import, end to end with boto3: a data key per version."""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import pytest

from kms_import_mock import generate_key_material
from tests.helpers import aws_error

DECRYPT = "Secrets Manager can't decrypt the protected secret text using the provided KMS key."
ENCRYPT = "Secrets Manager can't encrypt the protected secret text using the provided KMS key."


@pytest.fixture
def sm(kms_import: Any) -> Any:
    return boto3.client("secretsmanager", region_name="us-east-1")


def value(sm: Any, secret_id: str, **kwargs: Any) -> str:
    result: str = sm.get_secret_value(SecretId=secret_id, **kwargs)["SecretString"]
    return result


def failure(kind: str, arn: str, state: str) -> tuple[str, str]:
    """(code, message) of a refusal: the Secrets Manager lead, then KMS's reason and code."""
    exception = "DisabledException" if state == "disabled" else "KMSInvalidStateException"
    lead = DECRYPT if kind == "DecryptionFailure" else ENCRYPT
    return kind, f"{lead} {arn} is {state}. ({exception})"


def test_material_deleted_then_the_same_material_reimported(
    kms_import: Any, sm: Any, imported: Any
) -> None:
    kms = kms_import.client()
    created = sm.create_secret(Name="db/password", SecretString="s3cr3t", KmsKeyId=imported.arn)
    assert value(sm, "db/password") == "s3cr3t"

    kms.delete_imported_key_material(KeyId=imported.key_id)
    arn = imported.arn
    assert aws_error(sm.get_secret_value, SecretId="db/password") == failure(
        "DecryptionFailure", arn, "pending import"
    )
    assert aws_error(sm.put_secret_value, SecretId="db/password", SecretString="new") == failure(
        "EncryptionFailure", arn, "pending import"
    )
    assert aws_error(sm.update_secret, SecretId="db/password", SecretString="newer") == failure(
        "EncryptionFailure", arn, "pending import"
    )
    assert aws_error(
        sm.create_secret, Name="db/other", SecretString="x", KmsKeyId=imported.key_id
    ) == failure("EncryptionFailure", arn, "pending import")
    # The refused writes changed nothing: no new version, no new secret.
    versions = sm.list_secret_version_ids(SecretId="db/password")["Versions"]
    assert [v["VersionId"] for v in versions] == [created["VersionId"]]
    assert [s["Name"] for s in sm.list_secrets()["SecretList"]] == ["db/password"]
    assert sm.describe_secret(SecretId="db/password")["KmsKeyId"] == imported.arn

    kms_import.import_key_material(imported.key_id, imported.key_material)
    assert value(sm, "db/password") == "s3cr3t"
    sm.put_secret_value(SecretId="db/password", SecretString="rotated")
    assert value(sm, "db/password") == "rotated"
    assert value(sm, "db/password", VersionStage="AWSPREVIOUS") == "s3cr3t"


def test_expiry_on_the_mock_clock(kms_import: Any, sm: Any) -> None:
    key = kms_import.create_imported_key(valid_to=dt.timedelta(days=1))
    sm.create_secret(Name="s", SecretString="v", KmsKeyId=key.key_id)
    kms_import.advance(dt.timedelta(days=1, seconds=1))
    assert aws_error(sm.get_secret_value, SecretId="s") == failure(
        "DecryptionFailure", key.arn, "pending import"
    )
    kms_import.import_key_material(key.key_id, key.key_material)
    assert value(sm, "s") == "v"


def test_disabled_aws_kms_key(kms_import: Any, sm: Any) -> None:
    kms = kms_import.client()
    arn = kms.create_key()["KeyMetadata"]["Arn"]
    sm.create_secret(Name="s", SecretBinary=b"\x00\x01", KmsKeyId=arn)
    kms.disable_key(KeyId=arn)
    assert aws_error(sm.get_secret_value, SecretId="s") == failure(
        "DecryptionFailure", arn, "disabled"
    )
    kms.enable_key(KeyId=arn)
    assert sm.get_secret_value(SecretId="s")["SecretBinary"] == b"\x00\x01"


def test_key_pending_deletion(kms_import: Any, sm: Any, imported: Any) -> None:
    kms = kms_import.client()
    sm.create_secret(Name="s", SecretString="v", KmsKeyId=imported.key_id)
    kms.schedule_key_deletion(KeyId=imported.key_id, PendingWindowInDays=7)
    assert aws_error(sm.get_secret_value, SecretId="s") == failure(
        "DecryptionFailure", imported.arn, "pending deletion"
    )
    kms.cancel_key_deletion(KeyId=imported.key_id)
    kms.enable_key(KeyId=imported.key_id)
    assert value(sm, "s") == "v"


def test_alias_and_the_aws_managed_default(kms_import: Any, sm: Any, imported: Any) -> None:
    kms = kms_import.client()
    kms.create_alias(AliasName="alias/secrets", TargetKeyId=imported.key_id)
    sm.create_secret(Name="by-alias", SecretString="a", KmsKeyId="alias/secrets")
    sm.create_secret(Name="managed", SecretString="m")
    # No key named: alias/aws/secretsmanager, created on first use as moto creates it.
    managed = kms.describe_key(KeyId="alias/aws/secretsmanager")["KeyMetadata"]["Arn"]
    assert [e["resources"][0]["ARN"] for e in kms_import.events(name="GenerateDataKey")] == [
        imported.arn,
        managed,
    ]
    kms.delete_imported_key_material(KeyId=imported.key_id)
    assert aws_error(sm.get_secret_value, SecretId="by-alias")[0] == "DecryptionFailure"
    assert value(sm, "managed") == "m"
    code, message = aws_error(sm.create_secret, Name="x", SecretString="x", KmsKeyId="alias/none")
    assert code == "EncryptionFailure" and "alias/none is not found." in message


def test_key_change_alone_reencrypts_the_staged_versions(
    kms_import: Any, sm: Any, imported: Any
) -> None:
    kms = kms_import.client()
    other = kms_import.create_imported_key()
    sm.create_secret(Name="s", SecretString="v1", KmsKeyId=imported.key_id)
    sm.put_secret_value(SecretId="s", SecretString="v2")
    sm.update_secret(SecretId="s", KmsKeyId=other.key_id)
    kms.delete_imported_key_material(KeyId=imported.key_id)  # the old key
    assert value(sm, "s") == "v2"
    assert value(sm, "s", VersionStage="AWSPREVIOUS") == "v1"
    # The current key refuses to give the data keys back: nothing changes, the key stays.
    kms.delete_imported_key_material(KeyId=other.key_id)
    third = kms_import.create_imported_key()
    assert aws_error(sm.update_secret, SecretId="s", KmsKeyId=third.key_id)[0] == (
        "DecryptionFailure"
    )
    assert sm.describe_secret(SecretId="s")["KmsKeyId"] == other.key_id


def test_batch_get_reports_a_refused_secret_in_errors(
    kms_import: Any, sm: Any, imported: Any
) -> None:
    kms = kms_import.client()
    sm.create_secret(Name="ours", SecretString="o", KmsKeyId=imported.key_id)
    sm.create_secret(Name="managed", SecretString="m")
    kms.delete_imported_key_material(KeyId=imported.key_id)
    result = sm.batch_get_secret_value(SecretIdList=["ours", "managed"])
    assert [s["Name"] for s in result["SecretValues"]] == ["managed"]
    assert result["Errors"] == [
        {
            "SecretId": "ours",
            "ErrorCode": "DecryptionFailure",
            "Message": failure("DecryptionFailure", imported.arn, "pending import")[1],
        }
    ]


def test_rotation_of_the_kms_key_keeps_old_versions_readable(
    kms_import: Any, sm: Any, imported: Any
) -> None:
    kms = kms_import.client()
    sm.create_secret(Name="s", SecretString="under A", KmsKeyId=imported.key_id)
    kms_import.import_key_material(
        imported.key_id, generate_key_material("SYMMETRIC_DEFAULT"), ImportType="NEW_KEY_MATERIAL"
    )
    kms.rotate_key_on_demand(KeyId=imported.key_id)
    sm.put_secret_value(SecretId="s", SecretString="under B")
    assert value(sm, "s", VersionStage="AWSPREVIOUS") == "under A"
    assert value(sm, "s") == "under B"


def test_kms_calls_are_recorded_as_invoked_by_secrets_manager(
    kms_import: Any, sm: Any, imported: Any
) -> None:
    created = sm.create_secret(Name="s", SecretString="v", KmsKeyId=imported.key_id)
    value(sm, "s")
    service_events = [
        e
        for e in kms_import.events(key_id=imported.key_id)
        if e["userIdentity"].get("invokedBy") == "secretsmanager.amazonaws.com"
    ]
    assert [e["eventName"] for e in service_events] == ["GenerateDataKey", "Decrypt"]
    context = {"SecretARN": created["ARN"], "SecretVersionId": created["VersionId"]}
    assert all(e["requestParameters"]["encryptionContext"] == context for e in service_events)


def test_secrets_manager_rotation_without_a_function_is_unaffected(
    kms_import: Any, sm: Any, imported: Any
) -> None:
    sm.create_secret(Name="s", SecretString="v", KmsKeyId=imported.key_id)
    rotated = sm.rotate_secret(SecretId="s", RotateImmediately=False)
    assert rotated["Name"] == "s"
    assert value(sm, "s") == "v"
