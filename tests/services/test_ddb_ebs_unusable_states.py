"""Every operation these fixes patch, with the key in each unusable state (material deleted,
material expired, disabled, pending deletion), in-process and over HTTP: an AWS-shaped 4xx
answer or the documented per-item error, never a Python exception or a 500."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from kms_import_mock import mock_kms_import
from kms_import_mock.services.envelope import KmsRefusal
from tests.services.service_helpers import endpoint_client, imported_key, streams_client

KEY = {"pk": {"S": "a"}}
ZONE = "us-east-1a"


def _delete(kms: Any, key_id: str) -> None:
    kms.delete_imported_key_material(KeyId=key_id)


def _disable(kms: Any, key_id: str) -> None:
    kms.disable_key(KeyId=key_id)


def _schedule(kms: Any, key_id: str) -> None:
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)


STATES: dict[str, Callable[[Any, str], None]] = {
    "material-deleted": _delete,
    "disabled": _disable,
    "pending-deletion": _schedule,
}
KMS_CODES = {
    "material-deleted": "KMSInvalidStateException",
    "material-expired": "KMSInvalidStateException",
    "disabled": "DisabledException",
    "pending-deletion": "KMSInvalidStateException",
}


def test_a_kms_refusal_copies_with_both_arguments() -> None:
    refusal = KmsRefusal("DisabledException", "arn is disabled.")
    copied = copy.deepcopy(refusal)
    assert (copied.code, copied.message) == (refusal.code, refusal.message)


def _setup(ddb: Any, ec2: Any, key_id: str) -> dict[str, Any]:
    table = ddb.create_table(
        TableName="states-table",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key_id},
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]
    ddb.put_item(TableName="states-table", Item=KEY)
    backup = ddb.create_backup(TableName="states-table", BackupName="before")["BackupDetails"]
    ec2.enable_ebs_encryption_by_default()
    ec2.modify_ebs_default_kms_key_id(KmsKeyId=key_id)
    volume_id = ec2.create_volume(Size=8, AvailabilityZone=ZONE)["VolumeId"]
    instance_id = ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=1, MaxCount=1, Placement={"AvailabilityZone": ZONE}
    )["Instances"][0]["InstanceId"]
    return {
        "table_arn": table["TableArn"],
        "stream_arn": table["LatestStreamArn"],
        "backup_arn": backup["BackupArn"],
        "volume_id": volume_id,
        "instance_id": instance_id,
    }


def _drive(ddb: Any, streams: Any, ec2: Any, made: dict[str, Any], kms_code: str) -> None:
    shard = streams.describe_stream(StreamArn=made["stream_arn"])["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(
        StreamArn=made["stream_arn"], ShardId=shard[0]["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    refused = [
        (
            ddb.restore_table_from_backup,
            {"TargetTableName": "restored-1", "BackupArn": made["backup_arn"]},
        ),
        (
            ddb.restore_table_to_point_in_time,
            {"SourceTableName": "states-table", "TargetTableName": "restored-2"},
        ),
        (
            ddb.export_table_to_point_in_time,
            {"TableArn": made["table_arn"], "S3Bucket": "b", "S3Prefix": "p"},
        ),
        (ddb.execute_statement, {"Statement": 'SELECT * FROM "states-table"'}),
        (ddb.execute_statement, {"Statement": "INSERT INTO \"states-table\" VALUE {'pk': 'n'}"}),
        (
            ddb.execute_transaction,
            {"TransactStatements": [{"Statement": "DELETE FROM \"states-table\" WHERE pk = 'a'"}]},
        ),
        (streams.get_records, {"ShardIterator": iterator}),
    ]
    for call, request in refused:
        with pytest.raises(ClientError) as raised:
            call(**request)
        answer = raised.value.response
        assert answer["ResponseMetadata"]["HTTPStatusCode"] == 400, call
        assert answer["Error"]["Code"] == "AccessDeniedException", call
        assert kms_code in answer["Error"]["Message"], call
    (batch,) = ddb.batch_execute_statement(
        Statements=[{"Statement": "SELECT * FROM states-table WHERE pk = 'a'"}]
    )["Responses"]
    assert batch["Error"]["Code"] == "AccessDenied" and kms_code in batch["Error"]["Message"]
    assert ddb.create_backup(TableName="states-table", BackupName="after")["BackupDetails"]
    assert set(ddb.list_tables()["TableNames"]) == {"states-table"}

    new_volume = ec2.create_volume(Size=8, AvailabilityZone=ZONE)["VolumeId"]
    assert ec2.describe_volumes(VolumeIds=[new_volume])["Volumes"][0]["State"] == "error"
    answer = ec2.attach_volume(
        VolumeId=made["volume_id"], InstanceId=made["instance_id"], Device="/dev/sdf"
    )
    assert answer["State"] == "attaching"
    volume = ec2.describe_volumes(VolumeIds=[made["volume_id"]])["Volumes"][0]
    assert volume["Attachments"] == []


@pytest.mark.parametrize("state", [*STATES, "material-expired"])
def test_in_process(state: str) -> None:
    with mock_kms_import() as m:
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        streams = streams_client()
        ec2 = boto3.client("ec2", region_name="us-east-1")
        if state == "material-expired":
            key = m.create_imported_key(valid_to=dt.timedelta(hours=1))
            made = _setup(ddb, ec2, key.key_id)
            m.advance(dt.timedelta(hours=2))
        else:
            key = m.create_imported_key()
            made = _setup(ddb, ec2, key.key_id)
            STATES[state](m.client(), key.key_id)
        _drive(ddb, streams, ec2, made, KMS_CODES[state])


@pytest.mark.parametrize("state", list(STATES))
def test_over_http(kms_import_server: str, state: str) -> None:
    kms = endpoint_client("kms", kms_import_server)
    ddb = endpoint_client("dynamodb", kms_import_server)
    ec2 = endpoint_client("ec2", kms_import_server)
    key_id, _arn, _material = imported_key(kms)
    try:
        made = _setup(ddb, ec2, key_id)
        STATES[state](kms, key_id)
        _drive(
            ddb, endpoint_client("dynamodbstreams", kms_import_server), ec2, made, KMS_CODES[state]
        )
    finally:
        ec2.disable_ebs_encryption_by_default()
