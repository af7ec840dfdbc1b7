"""The DynamoDB copy, PartiQL and stream patches and EBS encryption by default are restored
exactly on stop, and plain ``mock_aws`` then behaves as moto does."""

from __future__ import annotations

from typing import Any

import boto3
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.responses import DynamoHandler
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler
from moto.ec2.models.elastic_block_store import EBSBackend
from moto.ec2.models.instances import InstanceBackend

from kms_import_mock import mock_kms_import

CLASSES = (DynamoDBBackend, DynamoHandler, DynamoDBStreamsHandler, EBSBackend, InstanceBackend)


def _snapshot() -> list[dict[str, Any]]:
    return [dict(vars(cls)) for cls in CLASSES]


def test_the_new_wrappers_are_installed_and_restored_exactly() -> None:
    before = _snapshot()
    with mock_kms_import():
        during = _snapshot()
        for cls, name in (
            (DynamoDBBackend, "create_backup"),
            (DynamoDBBackend, "batch_execute_statement"),
            (DynamoHandler, "execute_statement"),
            (DynamoHandler, "restore_table_from_backup"),
            (DynamoDBStreamsHandler, "get_records"),
            (EBSBackend, "create_volume"),
        ):
            assert vars(cls)[name].__module__.startswith("kms_import_mock.")
    assert during != before
    assert _snapshot() == before


def _table(ddb: Any, key_id: str) -> None:
    ddb.create_table(
        TableName="plain-table",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        SSESpecification={"Enabled": True, "KMSMasterKeyId": key_id},
    )
    ddb.put_item(TableName="plain-table", Item={"pk": {"S": "a"}})


def test_plain_mock_aws_after_stop_ignores_the_key_and_the_ebs_default() -> None:
    with mock_kms_import():
        pass
    with mock_aws():
        kms = boto3.client("kms", region_name="us-east-1")
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        _table(ddb, key_id)
        kms.disable_key(KeyId=key_id)
        backup = ddb.create_backup(TableName="plain-table", BackupName="bak")["BackupDetails"]
        restored = ddb.restore_table_from_backup(
            TargetTableName="restored", BackupArn=backup["BackupArn"]
        )["TableDescription"]
        assert "SSEDescription" not in restored  # moto's own restore
        items = ddb.execute_statement(Statement='SELECT * FROM "plain-table"')["Items"]
        assert items == [{"pk": {"S": "a"}}]

        ec2 = boto3.client("ec2", region_name="us-east-1")
        ec2.enable_ebs_encryption_by_default()
        volume_id = ec2.create_volume(Size=8, AvailabilityZone="us-east-1a")["VolumeId"]
        volume = ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"][0]
        assert volume["Encrypted"] is False  # moto ignores the setting
