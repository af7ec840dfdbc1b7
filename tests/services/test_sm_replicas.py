"""Secrets Manager replicas follow their own Region's KMS key, in-process."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.helpers import aws_error

PRIMARY, REPLICA = "us-east-1", "eu-west-1"


def _clients() -> tuple[Any, Any]:
    return (
        boto3.client("secretsmanager", region_name=PRIMARY),
        boto3.client("secretsmanager", region_name=REPLICA),
    )


def _value(sm: Any, name: str = "app/db") -> str:
    result: str = sm.get_secret_value(SecretId=name)["SecretString"]
    return result


def _status(sm: Any, name: str = "app/db") -> dict[str, Any]:
    [status] = sm.describe_secret(SecretId=name)["ReplicationStatus"]
    return dict(status)


def test_each_region_follows_its_own_key(kms_import: Any, imported: Any) -> None:
    primary, replica = _clients()
    theirs = kms_import.create_imported_key(region_name=REPLICA)
    primary.create_secret(Name="app/db", SecretString="s1", KmsKeyId=imported.key_id)
    primary.replicate_secret_to_regions(
        SecretId="app/db", AddReplicaRegions=[{"Region": REPLICA, "KmsKeyId": theirs.key_id}]
    )
    assert _status(primary)["KmsKeyId"] == theirs.key_id
    assert _status(primary)["Status"] == "InSync"
    assert _value(replica) == "s1"
    assert replica.describe_secret(SecretId="app/db")["KmsKeyId"] == theirs.key_id
    assert primary.describe_secret(SecretId="app/db")["KmsKeyId"] == imported.key_id
    made = [
        (e["awsRegion"], e["eventName"])
        for e in kms_import.events()
        if e.get("userIdentity", {}).get("invokedBy") == "secretsmanager.amazonaws.com"
        and e["awsRegion"] == REPLICA
    ]
    assert ("eu-west-1", "GenerateDataKey") in made

    # The primary's key unusable: the replica still answers, the primary does not.
    kms_import.client().delete_imported_key_material(KeyId=imported.key_id)
    assert _value(replica) == "s1"
    assert aws_error(primary.get_secret_value, SecretId="app/db")[0] == "DecryptionFailure"
    kms_import.import_key_material(imported.key_id, imported.key_material)

    # The replica's key unusable: only the replica is refused, naming its own key.
    kms_import.client(REPLICA).disable_key(KeyId=theirs.key_id)
    code, message = aws_error(replica.get_secret_value, SecretId="app/db")
    assert code == "DecryptionFailure" and f"{theirs.arn} is disabled." in message
    assert _value(primary) == "s1"
    batch = replica.batch_get_secret_value(SecretIdList=["app/db"])
    assert [e["ErrorCode"] for e in batch["Errors"]] == ["DecryptionFailure"]
    kms_import.client(REPLICA).enable_key(KeyId=theirs.key_id)
    assert _value(replica) == "s1"


def test_a_replica_without_a_key_uses_its_regions_aws_managed_key(
    kms_import: Any, imported: Any
) -> None:
    primary, replica = _clients()
    primary.create_secret(
        Name="app/db", SecretString="s1", KmsKeyId=imported.key_id,
        AddReplicaRegions=[{"Region": REPLICA}],
    )
    assert _status(primary)["KmsKeyId"] == "alias/aws/secretsmanager"
    kms_import.client().disable_key(KeyId=imported.key_id)
    assert _value(replica) == "s1"
    managed = kms_import.client(REPLICA).describe_key(KeyId="alias/aws/secretsmanager")
    assert managed["KeyMetadata"]["Arn"].startswith(f"arn:aws:kms:{REPLICA}:")


def test_replication_under_an_unusable_key_fails_and_creates_no_replica(
    kms_import: Any, imported: Any
) -> None:
    primary, replica = _clients()
    theirs = kms_import.create_imported_key(region_name=REPLICA)
    kms_import.client(REPLICA).delete_imported_key_material(KeyId=theirs.key_id)
    primary.create_secret(Name="app/db", SecretString="s1", KmsKeyId=imported.key_id)
    answer = primary.replicate_secret_to_regions(
        SecretId="app/db", AddReplicaRegions=[{"Region": REPLICA, "KmsKeyId": theirs.arn}]
    )
    [status] = answer["ReplicationStatus"]
    assert status["Status"] == "Failed"
    assert f"{theirs.arn} is pending import." in status["StatusMessage"]
    assert replica.list_secrets()["SecretList"] == []
    with pytest.raises(ClientError) as absent:
        replica.get_secret_value(SecretId="app/db")
    assert absent.value.response["Error"]["Code"] == "ResourceNotFoundException"

    # Replicating again once the key is usable replaces the failed entry.
    kms_import.import_key_material(theirs.key_id, theirs.key_material, region_name=REPLICA)
    primary.replicate_secret_to_regions(
        SecretId="app/db", AddReplicaRegions=[{"Region": REPLICA, "KmsKeyId": theirs.arn}]
    )
    assert _status(primary)["Status"] == "InSync"
    assert _value(replica) == "s1"


def test_new_primary_versions_are_replicated_under_the_replica_key(
    kms_import: Any, imported: Any
) -> None:
    primary, replica = _clients()
    theirs = kms_import.create_imported_key(region_name=REPLICA)
    primary.create_secret(
        Name="app/db", SecretString="s1",
        AddReplicaRegions=[{"Region": REPLICA, "KmsKeyId": theirs.key_id}],
    )
    primary.put_secret_value(SecretId="app/db", SecretString="s2")
    assert _value(replica) == "s2"

    # The replica key unusable while the primary is written: the write succeeds, the
    # replication fails, and the replica serves the version once its key is back.
    kms_import.client(REPLICA).delete_imported_key_material(KeyId=theirs.key_id)
    primary.put_secret_value(SecretId="app/db", SecretString="s3")
    assert _value(primary) == "s3"
    assert _status(primary)["Status"] == "Failed"
    assert aws_error(replica.get_secret_value, SecretId="app/db")[0] == "DecryptionFailure"
    kms_import.import_key_material(theirs.key_id, theirs.key_material, region_name=REPLICA)
    assert _value(replica) == "s3"
    previous = replica.get_secret_value(SecretId="app/db", VersionStage="AWSPREVIOUS")
    assert previous["SecretString"] == "s2"
