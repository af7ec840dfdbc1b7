"""SSM Parameter Store under mock_kms_import, end to end: SecureStrings are KMS ciphertext."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import boto3
import pytest

from tests.helpers import aws_error


@pytest.fixture
def ssm(kms_import: Any) -> Any:
    return boto3.client("ssm", region_name="us-east-1")


def plain(ssm: Any, name: str) -> str:
    result: str = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
    return result


def invalid_key_id(arn: str, state: str) -> tuple[str, str]:
    exception = "DisabledException" if state == "disabled" else "KMSInvalidStateException"
    return (
        "InvalidKeyId",
        f"{arn} is {state}. (Service: AWSKMS; Status Code: 400; Error Code: {exception})",
    )


def test_material_deleted_then_the_same_material_reimported(
    kms_import: Any, ssm: Any, imported: Any
) -> None:
    kms = kms_import.client()
    ssm.put_parameter(Name="/app/db", Value="pw", Type="SecureString", KeyId=imported.key_id)
    assert plain(ssm, "/app/db") == "pw"
    stored = ssm.get_parameter(Name="/app/db")["Parameter"]["Value"]
    # Without decryption: the KMS ciphertext, never the plaintext (and no KMS call).
    assert (
        kms.decrypt(
            CiphertextBlob=base64.b64decode(stored),
            EncryptionContext={
                "PARAMETER_ARN": "arn:aws:ssm:us-east-1:123456789012:parameter/app/db"
            },
        )["Plaintext"]
        == b"pw"
    )

    kms.delete_imported_key_material(KeyId=imported.key_id)
    refusal = invalid_key_id(imported.arn, "pending import")
    assert aws_error(ssm.get_parameter, Name="/app/db", WithDecryption=True) == refusal
    assert ssm.get_parameter(Name="/app/db")["Parameter"]["Value"] == stored
    assert (
        aws_error(
            ssm.put_parameter, Name="/app/db", Value="new", Type="SecureString", Overwrite=True
        )
        == refusal
    )
    assert (
        aws_error(
            ssm.put_parameter, Name="/app/new", Value="x", Type="SecureString", KeyId=imported.arn
        )
        == refusal
    )
    # The refused writes left nothing: no version 2, no new parameter.
    assert ssm.get_parameter(Name="/app/db")["Parameter"]["Version"] == 1
    assert [p["Name"] for p in ssm.describe_parameters()["Parameters"]] == ["/app/db"]
    assert aws_error(ssm.get_parameter, Name="/app/new")[0] == "ParameterNotFound"

    kms_import.import_key_material(imported.key_id, imported.key_material)
    assert plain(ssm, "/app/db") == "pw"


def test_expiry_on_the_mock_clock(kms_import: Any, ssm: Any) -> None:
    key = kms_import.create_imported_key(valid_to=dt.timedelta(minutes=5))
    ssm.put_parameter(Name="p", Value="v", Type="SecureString", KeyId=key.key_id)
    kms_import.advance(600)
    assert aws_error(ssm.get_parameter, Name="p", WithDecryption=True) == invalid_key_id(
        key.arn, "pending import"
    )
    kms_import.import_key_material(key.key_id, key.key_material)
    assert plain(ssm, "p") == "v"


def test_disabled_aws_kms_key(kms_import: Any, ssm: Any) -> None:
    kms = kms_import.client()
    arn = kms.create_key()["KeyMetadata"]["Arn"]
    ssm.put_parameter(Name="p", Value="v", Type="SecureString", KeyId=arn)
    kms.disable_key(KeyId=arn)
    assert aws_error(ssm.get_parameter, Name="p", WithDecryption=True) == invalid_key_id(
        arn, "disabled"
    )
    kms.enable_key(KeyId=arn)
    assert plain(ssm, "p") == "v"


def test_key_pending_deletion(kms_import: Any, ssm: Any, imported: Any) -> None:
    kms = kms_import.client()
    ssm.put_parameter(Name="p", Value="v", Type="SecureString", KeyId=imported.key_id)
    kms.schedule_key_deletion(KeyId=imported.key_id, PendingWindowInDays=7)
    assert aws_error(ssm.get_parameter, Name="p", WithDecryption=True) == invalid_key_id(
        imported.arn, "pending deletion"
    )
    kms.cancel_key_deletion(KeyId=imported.key_id)
    kms.enable_key(KeyId=imported.key_id)
    assert plain(ssm, "p") == "v"


def test_alias_and_the_aws_managed_default(kms_import: Any, ssm: Any, imported: Any) -> None:
    kms = kms_import.client()
    kms.create_alias(AliasName="alias/params", TargetKeyId=imported.key_id)
    ssm.put_parameter(Name="by-alias", Value="a", Type="SecureString", KeyId="alias/params")
    ssm.put_parameter(Name="managed", Value="m", Type="SecureString")
    managed = kms.describe_key(KeyId="alias/aws/ssm")["KeyMetadata"]["Arn"]
    assert [e["resources"][0]["ARN"] for e in kms_import.events(name="Encrypt")] == [
        imported.arn,
        managed,
    ]
    kms.delete_imported_key_material(KeyId=imported.key_id)
    assert aws_error(ssm.get_parameter, Name="by-alias", WithDecryption=True)[0] == "InvalidKeyId"
    assert plain(ssm, "managed") == "m"
    code, message = aws_error(
        ssm.put_parameter, Name="x", Value="x", Type="SecureString", KeyId="alias/none"
    )
    assert code == "InvalidKeyId" and "alias/none is not found." in message


def test_reads_of_several_parameters_fail_as_a_whole(
    kms_import: Any, ssm: Any, imported: Any
) -> None:
    kms = kms_import.client()
    ssm.put_parameter(Name="/app/a", Value="a", Type="SecureString", KeyId=imported.key_id)
    ssm.put_parameter(Name="/app/b", Value="b", Type="SecureString")
    ssm.put_parameter(Name="/app/c", Value="c", Type="String")
    names = ["/app/a", "/app/b", "/app/c"]
    values = ssm.get_parameters(Names=names, WithDecryption=True)["Parameters"]
    assert sorted(p["Value"] for p in values) == ["a", "b", "c"]
    kms.delete_imported_key_material(KeyId=imported.key_id)
    refusal = invalid_key_id(imported.arn, "pending import")
    assert aws_error(ssm.get_parameters, Names=names, WithDecryption=True) == refusal
    assert aws_error(ssm.get_parameters_by_path, Path="/app", WithDecryption=True) == refusal
    assert aws_error(ssm.get_parameter_history, Name="/app/a", WithDecryption=True) == refusal
    # Without decryption every read still answers (ciphertext for SecureStrings).
    assert len(ssm.get_parameters_by_path(Path="/app")["Parameters"]) == 3
    assert ssm.get_parameters(Names=["/app/b", "/app/c"], WithDecryption=True)["Parameters"]


def test_history_keeps_each_versions_ciphertext(kms_import: Any, ssm: Any, imported: Any) -> None:
    ssm.put_parameter(Name="p", Value="one", Type="SecureString", KeyId=imported.key_id)
    ssm.put_parameter(Name="p", Value="two", Type="SecureString", Overwrite=True)
    history = ssm.get_parameter_history(Name="p", WithDecryption=True)["Parameters"]
    assert [(h["Version"], h["Value"]) for h in history] == [(1, "one"), (2, "two")]
    assert plain(ssm, "p:1") == "one"


def test_kms_calls_are_recorded_as_invoked_by_ssm(kms_import: Any, ssm: Any, imported: Any) -> None:
    ssm.put_parameter(Name="/p", Value="v", Type="SecureString", KeyId=imported.key_id)
    plain(ssm, "/p")
    ssm.get_parameter(Name="/p")  # no decryption: no KMS call
    service_events = [
        e
        for e in kms_import.events(key_id=imported.key_id)
        if e["userIdentity"].get("invokedBy") == "ssm.amazonaws.com"
    ]
    assert [e["eventName"] for e in service_events] == ["Encrypt", "Decrypt"]
    context = {"PARAMETER_ARN": "arn:aws:ssm:us-east-1:123456789012:parameter/p"}
    assert all(e["requestParameters"]["encryptionContext"] == context for e in service_events)
