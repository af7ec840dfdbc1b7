"""DynamoDB paths beyond the item actions follow the table's key: CreateBackup (no crash), the
restores, ExportTableToPointInTime, PartiQL and DynamoDB Streams GetRecords."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import pathlib

import boto3
import botocore
import pytest
import time_machine

from kms_import_mock import mock_kms_import
from tests.helpers import aws_error
from tests.services.service_helpers import streams_client

UTC = dt.timezone.utc
T0 = dt.datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
MATERIAL = bytes(range(64, 96))
KEY = {"pk": {"S": "a"}}


@pytest.fixture
def m():
    with time_machine.travel(T0, tick=False), mock_kms_import() as handle:
        yield handle


def _ddb():
    return boto3.client("dynamodb", region_name="us-east-1")


def _table(key_id, name="tbl", **extra):
    _ddb().create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key_id},
        **extra,
    )
    _ddb().put_item(TableName=name, Item={**KEY, "v": {"S": "1"}})


def _inaccessible(m):
    """A table "tbl" under an imported key whose material is then deleted."""
    key = m.create_imported_key(key_material=MATERIAL)
    _table(key.key_id)
    m.advance(60)
    m.client().delete_imported_key_material(KeyId=key.key_id)
    return key


def _assert_denied(key, call, **request):
    code, message = aws_error(call, **request)
    assert code == "AccessDeniedException"
    assert f"KMSInvalidStateException: {key.arn} is pending import." in message


def _model(service):
    data = pathlib.Path(botocore.__file__).parent / "data" / service
    (model_file,) = data.glob("*/service-2.json.gz")
    return json.loads(gzip.decompress(model_file.read_bytes()))


# -- CreateBackup and the restores ----------------------------------------------------------


def test_create_backup_of_an_inaccessible_table_keeps_its_key_and_restoring_needs_it(m):
    key = _inaccessible(m)
    _assert_denied(key, _ddb().get_item, TableName="tbl", Key=KEY)  # the refusal is recorded
    backup = _ddb().create_backup(TableName="tbl", BackupName="bak")["BackupDetails"]
    assert backup["BackupStatus"] == "AVAILABLE"
    _assert_denied(
        key,
        _ddb().restore_table_from_backup,
        TargetTableName="restored",
        BackupArn=backup["BackupArn"],
    )
    assert "restored" not in _ddb().list_tables()["TableNames"]  # nothing created

    m.import_key_material(key.key_id, MATERIAL)
    restored = _ddb().restore_table_from_backup(
        TargetTableName="restored", BackupArn=backup["BackupArn"]
    )["TableDescription"]
    assert restored["SSEDescription"] == {
        "Status": "ENABLED",
        "SSEType": "KMS",
        "KMSMasterKeyArn": key.arn,
    }
    assert _ddb().get_item(TableName="restored", Key=KEY)["Item"]["v"] == {"S": "1"}
    # The restored table follows the source's key.
    m.client().delete_imported_key_material(KeyId=key.key_id)
    _assert_denied(key, _ddb().get_item, TableName="restored", Key=KEY)
    table = _ddb().describe_table(TableName="restored")["Table"]
    assert table["TableStatus"] == "INACCESSIBLE_ENCRYPTION_CREDENTIALS"


def test_restore_to_point_in_time_needs_the_key_and_keeps_it(m):
    key = _inaccessible(m)
    for source in ({"SourceTableName": "tbl"}, {"SourceTableArn": _arn("tbl")}):
        _assert_denied(key, _ddb().restore_table_to_point_in_time, TargetTableName="pitr", **source)
    assert "pitr" not in _ddb().list_tables()["TableNames"]
    m.import_key_material(key.key_id, MATERIAL)
    restored = _ddb().restore_table_to_point_in_time(SourceTableName="tbl", TargetTableName="pitr")
    assert restored["TableDescription"]["SSEDescription"]["KMSMasterKeyArn"] == key.arn
    assert _ddb().describe_table(TableName="pitr")["Table"]["SSEDescription"]["SSEType"] == "KMS"
    assert _ddb().get_item(TableName="pitr", Key=KEY)["Item"]["v"] == {"S": "1"}
    m.client().disable_key(KeyId=key.key_id)
    code, message = aws_error(_ddb().scan, TableName="pitr")
    assert code == "AccessDeniedException" and "DisabledException" in message


def test_a_restore_override_chooses_the_new_tables_key(m):
    source = m.create_imported_key(key_material=MATERIAL)
    other = m.client().create_key()["KeyMetadata"]
    _table(source.key_id)
    backup_arn = _ddb().create_backup(TableName="tbl", BackupName="bak")["BackupDetails"][
        "BackupArn"
    ]
    _ddb().restore_table_from_backup(
        TargetTableName="other",
        BackupArn=backup_arn,
        SSESpecificationOverride={
            "Enabled": True,
            "SSEType": "KMS",
            "KMSMasterKeyId": other["KeyId"],
        },
    )
    assert (
        _ddb().describe_table(TableName="other")["Table"]["SSEDescription"]["KMSMasterKeyArn"]
        == (other["Arn"])
    )
    m.client().delete_imported_key_material(KeyId=source.key_id)
    assert _ddb().get_item(TableName="other", Key=KEY)["Item"]  # only the new key matters now
    # Re-encrypting needs the source key, even to an AWS owned key.
    _assert_denied(
        source,
        _ddb().restore_table_from_backup,
        TargetTableName="plain",
        BackupArn=backup_arn,
        SSESpecificationOverride={"Enabled": False},
    )


def test_a_backup_of_a_table_without_sse_restores_without_sse(m):
    _ddb().create_table(
        TableName="nosse",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    backup_arn = _ddb().create_backup(TableName="nosse", BackupName="bak")["BackupDetails"][
        "BackupArn"
    ]
    restored = _ddb().restore_table_from_backup(TargetTableName="copy", BackupArn=backup_arn)
    assert "SSEDescription" not in restored["TableDescription"]


def test_the_archival_backup_restores_only_with_the_key(m):
    key = m.create_imported_key(key_material=MATERIAL, valid_to=dt.timedelta(hours=1))
    _table(key.key_id)
    m.travel_to(T0 + dt.timedelta(hours=1, days=7, minutes=6))
    summary = _ddb().describe_table(TableName="tbl")["Table"]["ArchivalSummary"]
    _assert_denied(
        key,
        _ddb().restore_table_from_backup,
        TargetTableName="back",
        BackupArn=summary["ArchivalBackupArn"],
    )
    code, _ = aws_error(_ddb().create_backup, TableName="tbl", BackupName="late")
    assert code == "ResourceNotFoundException"  # an archived table cannot be read again


def _arn(name):
    return f"arn:aws:dynamodb:us-east-1:123456789012:table/{name}"


# -- ExportTableToPointInTime ---------------------------------------------------------------


def test_export_of_an_inaccessible_table_is_refused_and_writes_nothing(m):
    key = m.create_imported_key(key_material=MATERIAL)
    _table(key.key_id)
    _ddb().update_continuous_backups(
        TableName="tbl", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="exports")
    m.client().delete_imported_key_material(KeyId=key.key_id)
    _assert_denied(
        key,
        _ddb().export_table_to_point_in_time,
        TableArn=_arn("tbl"),
        S3Bucket="exports",
        S3Prefix="p",
    )
    assert s3.list_objects_v2(Bucket="exports").get("KeyCount") == 0
    assert _ddb().list_exports(TableArn=_arn("tbl"))["ExportSummaries"] == []
    m.import_key_material(key.key_id, MATERIAL)
    export = _ddb().export_table_to_point_in_time(
        TableArn=_arn("tbl"), S3Bucket="exports", S3Prefix="p"
    )["ExportDescription"]
    assert export["TableArn"] == _arn("tbl")


# -- PartiQL --------------------------------------------------------------------------------

STATEMENTS = [
    "SELECT * FROM \"tbl\" WHERE pk = 'a'",
    "SELECT * FROM tbl",
    "INSERT INTO \"tbl\" VALUE {'pk': 'z'}",
    "UPDATE \"tbl\" SET v = 'x' WHERE pk = 'a'",
    "DELETE FROM \"tbl\" WHERE pk = 'a'",
]


@pytest.mark.parametrize("statement", STATEMENTS)
def test_execute_statement_is_refused_like_the_item_actions(m, statement):
    key = _inaccessible(m)
    _assert_denied(key, _ddb().execute_statement, Statement=statement)
    m.import_key_material(key.key_id, MATERIAL)
    assert _ddb().get_item(TableName="tbl", Key=KEY)["Item"]["v"] == {"S": "1"}  # nothing ran
    _ddb().execute_statement(Statement=statement)


def test_execute_transaction_is_refused_whole_before_anything_runs(m):
    key = m.create_imported_key(key_material=MATERIAL)
    _table(key.key_id, name="tbl")
    _ddb().create_table(
        TableName="opentbl",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    m.client().delete_imported_key_material(KeyId=key.key_id)
    _assert_denied(
        key,
        _ddb().execute_transaction,
        TransactStatements=[
            {"Statement": "INSERT INTO \"opentbl\" VALUE {'pk': 'first'}"},
            {"Statement": "UPDATE \"tbl\" SET v = 'x' WHERE pk = 'a'"},
        ],
    )
    assert _ddb().scan(TableName="opentbl")["Count"] == 0


def test_batch_execute_statement_answers_access_denied_per_statement(m):
    key = m.create_imported_key(key_material=MATERIAL)
    _table(key.key_id, name="tbl")
    _ddb().create_table(
        TableName="opentbl",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    _ddb().put_item(TableName="opentbl", Item={"pk": {"S": "o"}})
    m.client().delete_imported_key_material(KeyId=key.key_id)
    # Unquoted names: moto's batch validation does not unquote them.
    answers = _ddb().batch_execute_statement(
        Statements=[
            {"Statement": "SELECT * FROM tbl WHERE pk = 'a'"},
            {"Statement": "SELECT * FROM opentbl WHERE pk = 'o'"},
            {"Statement": "INSERT INTO tbl VALUE {'pk': 'new'}"},
        ]
    )["Responses"]
    assert "AccessDenied" in _model("dynamodb")["shapes"]["BatchStatementErrorCodeEnum"]["enum"]
    for refused in (answers[0], answers[2]):
        assert refused["Error"]["Code"] == "AccessDenied"
        assert f"{key.arn} is pending import." in refused["Error"]["Message"]
        assert "Item" not in refused
    assert answers[1]["Item"] == {"pk": {"S": "o"}}
    m.import_key_material(key.key_id, MATERIAL)
    assert "Item" not in _ddb().get_item(TableName="tbl", Key={"pk": {"S": "new"}})


# -- DynamoDB Streams -----------------------------------------------------------------------


def test_stream_records_are_not_served_while_the_key_is_unusable(m):
    key = m.create_imported_key(key_material=MATERIAL)
    _table(
        key.key_id,
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    streams = streams_client()
    arn = _ddb().describe_table(TableName="tbl")["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    m.client().delete_imported_key_material(KeyId=key.key_id)
    _assert_denied(key, streams.get_records, ShardIterator=iterator)
    m.import_key_material(key.key_id, MATERIAL)
    records = streams.get_records(ShardIterator=iterator)["Records"]
    assert records[0]["dynamodb"]["NewImage"]["v"] == {"S": "1"}


# -- SSEDescription.Status ------------------------------------------------------------------


def test_sse_status_stays_enabled_as_the_model_allows_and_the_table_status_tells(m):
    _inaccessible(m)
    table = _ddb().describe_table(TableName="tbl")["Table"]
    assert table["TableStatus"] == "INACCESSIBLE_ENCRYPTION_CREDENTIALS"
    assert table["SSEDescription"]["Status"] == "ENABLED"
    assert table["SSEDescription"]["InaccessibleEncryptionDateTime"] == T0 + dt.timedelta(
        seconds=60
    )
    enum = _model("dynamodb")["shapes"]["SSEStatus"]["enum"]
    assert "INACCESSIBLE_ENCRYPTION_CREDENTIALS" not in enum and "ENABLED" in enum
