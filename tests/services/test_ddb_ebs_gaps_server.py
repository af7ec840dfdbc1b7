"""Server mode: DynamoDB's backups, restores, exports, PartiQL and streams, and EBS encryption
by default, follow the KMS key over HTTP too (AWS-shaped 4xx answers, never a 500)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.service_helpers import endpoint_client, import_material, imported_key

KEY = {"pk": {"S": "a"}}


def _denied(call: Any, arn: str, **request: Any) -> None:
    with pytest.raises(ClientError) as raised:
        call(**request)
    error = raised.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Code"] == "AccessDeniedException"
    assert f"{arn} is pending import." in error["Error"]["Message"]


def test_dynamodb_copies_and_partiql_over_http(kms_import_server: str) -> None:
    kms = endpoint_client("kms", kms_import_server)
    ddb = endpoint_client("dynamodb", kms_import_server)
    streams = endpoint_client("dynamodbstreams", kms_import_server)
    key_id, arn, material = imported_key(kms)
    table = ddb.create_table(
        TableName="served-table",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key_id},
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]
    ddb.put_item(TableName="served-table", Item={**KEY, "v": {"S": "1"}})
    stream_arn = table["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    kms.delete_imported_key_material(KeyId=key_id)
    _denied(ddb.get_item, arn, TableName="served-table", Key=KEY)

    # CreateBackup of the inaccessible table: a backup, not a 500.
    backup = ddb.create_backup(TableName="served-table", BackupName="served-backup")
    backup_arn = backup["BackupDetails"]["BackupArn"]
    _denied(ddb.restore_table_from_backup, arn, TargetTableName="restored", BackupArn=backup_arn)
    _denied(
        ddb.restore_table_to_point_in_time,
        arn,
        SourceTableName="served-table",
        TargetTableName="pitr-table",
    )
    _denied(
        ddb.export_table_to_point_in_time,
        arn,
        TableArn=table["TableArn"],
        S3Bucket="exports",
        S3Prefix="p",
    )
    _denied(ddb.execute_statement, arn, Statement='SELECT * FROM "served-table"')
    _denied(
        ddb.execute_transaction,
        arn,
        TransactStatements=[{"Statement": "DELETE FROM \"served-table\" WHERE pk = 'a'"}],
    )
    (answer,) = ddb.batch_execute_statement(
        Statements=[{"Statement": "SELECT * FROM \"served-table\" WHERE pk = 'a'"}]
    )["Responses"]
    assert answer["Error"]["Code"] == "AccessDenied"
    _denied(streams.get_records, arn, ShardIterator=iterator)
    assert "restored" not in ddb.list_tables()["TableNames"]

    import_material(kms, key_id, material)
    restored = ddb.restore_table_from_backup(TargetTableName="restored", BackupArn=backup_arn)
    sse = restored["TableDescription"]["SSEDescription"]
    assert (sse["SSEType"], sse["KMSMasterKeyArn"]) == ("KMS", arn)
    assert ddb.get_item(TableName="restored", Key=KEY)["Item"]["v"] == {"S": "1"}
    items = ddb.execute_statement(Statement='SELECT * FROM "served-table"')["Items"]
    assert items == [{**KEY, "v": {"S": "1"}}]
    assert streams.get_records(ShardIterator=iterator)["Records"]


def test_ebs_encryption_by_default_over_http(kms_import_server: str) -> None:
    kms = endpoint_client("kms", kms_import_server)
    ec2 = endpoint_client("ec2", kms_import_server)
    key_id, arn, material = imported_key(kms)
    ec2.enable_ebs_encryption_by_default()
    ec2.modify_ebs_default_kms_key_id(KmsKeyId=key_id)
    try:
        volume_id = ec2.create_volume(Size=8, AvailabilityZone="us-east-1a")["VolumeId"]
        volume = ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"][0]
        assert (volume["Encrypted"], volume["KmsKeyId"]) == (True, arn)
        instance_id = ec2.run_instances(
            ImageId="ami-12c6146b",
            MinCount=1,
            MaxCount=1,
            Placement={"AvailabilityZone": "us-east-1a"},
        )["Instances"][0]["InstanceId"]
        kms.delete_imported_key_material(KeyId=key_id)
        answer = ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf")
        assert answer["State"] == "attaching"
        volume = ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"][0]
        assert (volume["State"], volume["Attachments"]) == ("available", [])
        import_material(kms, key_id, material)
        ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf")
        volume = ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"][0]
        assert [a["InstanceId"] for a in volume["Attachments"]] == [instance_id]
    finally:
        ec2.disable_ebs_encryption_by_default()  # the server may be shared by other tests
