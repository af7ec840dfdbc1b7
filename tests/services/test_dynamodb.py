"""DynamoDB under a KMS key: the table becomes inaccessible when the key does, recovers on
reimport, and is archived seven days (mock clock) after the key became inaccessible."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import pathlib

import boto3
import botocore
import pytest
import time_machine
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler

from kms_import_mock import mock_kms_import
from kms_import_mock.services import dynamodb as ddb_service
from tests.helpers import aws_error

UTC = dt.timezone.utc
T0 = dt.datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
MATERIAL = bytes(range(32, 64))
KEY = {"pk": {"S": "a"}}


@pytest.fixture
def m():
    with time_machine.travel(T0, tick=False), mock_kms_import() as handle:
        yield handle


def _ddb():
    return boto3.client("dynamodb", region_name="us-east-1")


def _table(name="t", **sse):
    spec = {"Enabled": True, "SSEType": "KMS", **sse}
    _ddb().create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        SSESpecification=spec,
    )
    _ddb().put_item(TableName=name, Item={**KEY, "v": {"S": "1"}})
    return name


def _describe(name="t"):
    return _ddb().describe_table(TableName=name)["Table"]


# Every read and write the mock guards, as (action, request) against table "t".
DATA_CALLS = [
    ("get_item", {"TableName": "t", "Key": KEY}),
    ("put_item", {"TableName": "t", "Item": {"pk": {"S": "b"}}}),
    ("update_item", {"TableName": "t", "Key": KEY, "UpdateExpression": "SET v = :v",
                     "ExpressionAttributeValues": {":v": {"S": "2"}}}),
    ("delete_item", {"TableName": "t", "Key": KEY}),
    ("query", {"TableName": "t", "KeyConditionExpression": "pk = :p",
               "ExpressionAttributeValues": {":p": {"S": "a"}}}),
    ("scan", {"TableName": "t"}),
    ("batch_get_item", {"RequestItems": {"t": {"Keys": [KEY]}}}),
    ("batch_write_item", {"RequestItems": {"t": [{"PutRequest": {"Item": {"pk": {"S": "c"}}}}]}}),
    ("transact_get_items", {"TransactItems": [{"Get": {"TableName": "t", "Key": KEY}}]}),
    ("transact_write_items",
     {"TransactItems": [{"Put": {"TableName": "t", "Item": {"pk": {"S": "d"}}}}]}),
]  # fmt: skip


def _ddb_events(m, name=None):
    return [
        e for e in m.events(name) if e["userIdentity"].get("invokedBy") == "dynamodb.amazonaws.com"
    ]


def test_model_has_the_statuses_the_mock_shows():
    data = pathlib.Path(botocore.__file__).parent / "data" / "dynamodb"
    (model_file,) = data.glob("*/service-2.json.gz")
    shapes = json.loads(gzip.decompress(model_file.read_bytes()))["shapes"]
    table_status = set(shapes["TableStatus"]["enum"])
    assert {ddb_service.INACCESSIBLE, ddb_service.ARCHIVING, ddb_service.ARCHIVED} <= table_status
    assert "ENABLED" in shapes["SSEStatus"]["enum"]
    assert "InaccessibleEncryptionDateTime" in shapes["SSEDescription"]["members"]
    assert set(shapes["ArchivalSummary"]["members"]) == {
        "ArchivalDateTime",
        "ArchivalReason",
        "ArchivalBackupArn",
    }


def test_create_table_gets_a_table_key_with_dynamodbs_context(m):
    key = m.create_imported_key(key_material=MATERIAL)
    _table(KMSMasterKeyId=key.key_id)
    table = _describe()
    assert table["TableStatus"] == "ACTIVE"
    assert table["SSEDescription"] == {
        "Status": "ENABLED",
        "SSEType": "KMS",
        "KMSMasterKeyArn": key.arn,
    }
    (generated,) = _ddb_events(m, "GenerateDataKey")
    assert generated["requestParameters"]["encryptionContext"] == {
        "aws:dynamodb:tableName": "t",
        "aws:dynamodb:subscriberId": "123456789012",
    }
    assert generated["resources"][0]["ARN"] == key.arn


@pytest.mark.parametrize(("action", "request_"), DATA_CALLS, ids=[c[0] for c in DATA_CALLS])
def test_every_read_and_write_is_refused_while_inaccessible_and_works_after_reimport(
    m, action, request_
):
    key = m.create_imported_key(key_material=MATERIAL)
    _table(KMSMasterKeyId=key.key_id)
    m.advance(60)
    m.client().delete_imported_key_material(KeyId=key.key_id)
    code, message = aws_error(getattr(_ddb(), action), **request_)
    assert code == "AccessDeniedException"
    assert message.startswith(
        "KMS key access denied error: com.amazonaws.services.kms.model.KMSInvalidStateException: "
        f"{key.arn} is pending import. (Service: AWSKMS; Status Code: 400; "
        "Error Code: KMSInvalidStateException; Request ID: "
    )
    m.import_key_material(key.key_id, MATERIAL)
    getattr(_ddb(), action)(**request_)


def test_inaccessible_status_dates_the_deletion_and_recovers_on_reimport(m):
    key = m.create_imported_key(key_material=MATERIAL)
    _table(KMSMasterKeyId=key.key_id)
    m.advance(3600)
    m.client().delete_imported_key_material(KeyId=key.key_id)
    deleted_at = m.now()
    m.advance(600)  # DescribeTable ten minutes later still dates it at the deletion
    table = _describe()
    assert table["TableStatus"] == "INACCESSIBLE_ENCRYPTION_CREDENTIALS"
    assert table["SSEDescription"]["Status"] == "ENABLED"
    assert table["SSEDescription"]["InaccessibleEncryptionDateTime"] == deleted_at
    assert "ArchivalSummary" not in table

    m.advance(dt.timedelta(days=6))
    m.import_key_material(key.key_id, MATERIAL)
    table = _describe()
    assert table["TableStatus"] == "ACTIVE"
    assert "InaccessibleEncryptionDateTime" not in table["SSEDescription"]
    assert _ddb().get_item(TableName="t", Key=KEY)["Item"]["v"] == {"S": "1"}


def test_seven_days_later_the_table_is_archived_with_a_backup(m):
    key = m.create_imported_key(key_material=MATERIAL, valid_to=dt.timedelta(hours=1))
    _table(KMSMasterKeyId=key.key_id)
    expired_at = T0 + dt.timedelta(hours=1)

    m.travel_to(expired_at + dt.timedelta(days=7) - dt.timedelta(seconds=1))
    table = _describe()
    assert table["TableStatus"] == "INACCESSIBLE_ENCRYPTION_CREDENTIALS"
    assert table["SSEDescription"]["InaccessibleEncryptionDateTime"] == expired_at

    m.advance(1)
    table = _describe()
    assert table["TableStatus"] == "ARCHIVING"
    summary = table["ArchivalSummary"]
    assert summary["ArchivalReason"] == "INACCESSIBLE_ENCRYPTION_CREDENTIALS"
    assert summary["ArchivalDateTime"] == expired_at + dt.timedelta(days=7)
    # As on AWS, a SYSTEM backup is listed only when BackupType asks for it.
    assert _ddb().list_backups(TableName="t")["BackupSummaries"] == []
    assert _ddb().list_backups(TableName="t", BackupType="USER")["BackupSummaries"] == []
    for wanted in ("SYSTEM", "ALL"):
        (backup,) = _ddb().list_backups(TableName="t", BackupType=wanted)["BackupSummaries"]
        assert backup["BackupArn"] == summary["ArchivalBackupArn"]
        assert backup["BackupType"] == "SYSTEM"

    m.advance(dt.timedelta(minutes=5))
    assert _describe()["TableStatus"] == "ARCHIVED"
    code, message = aws_error(_ddb().get_item, TableName="t", Key=KEY)
    assert code == "ResourceNotFoundException" and "is archived" in message
    # An archived table stays archived even when the key comes back ...
    m.import_key_material(key.key_id, MATERIAL)
    assert _describe()["TableStatus"] == "ARCHIVED"
    # ... and its backup restores the data under a new name.
    _ddb().restore_table_from_backup(
        TargetTableName="restored", BackupArn=summary["ArchivalBackupArn"]
    )
    assert _ddb().get_item(TableName="restored", Key=KEY)["Item"]["v"] == {"S": "1"}
    _ddb().delete_table(TableName="t")  # deleting the archived table is allowed


def test_a_disabled_aws_kms_key_and_the_first_look_dates_it(m):
    kms = m.client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    _table(KMSMasterKeyId=key_id)
    m.advance(60)
    kms.disable_key(KeyId=key_id)
    m.advance(60)
    seen_at = m.now()  # KMS records no date for DisableKey: the first look dates it
    code, message = aws_error(_ddb().scan, TableName="t")
    assert code == "AccessDeniedException" and "DisabledException" in message
    assert _describe()["SSEDescription"]["InaccessibleEncryptionDateTime"] == seen_at
    kms.enable_key(KeyId=key_id)
    assert _ddb().scan(TableName="t")["Count"] == 1


def test_an_alias_names_the_key_and_the_default_is_alias_aws_dynamodb(m):
    key = m.create_imported_key(key_material=MATERIAL)
    m.client().create_alias(AliasName="alias/table-key", TargetKeyId=key.key_id)
    _table("by-alias", KMSMasterKeyId="alias/table-key")
    assert _describe("by-alias")["SSEDescription"]["KMSMasterKeyArn"] == key.arn
    _ddb().create_table(
        TableName="default",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        SSESpecification={"Enabled": True},
    )
    managed = m.client().describe_key(KeyId="alias/aws/dynamodb")["KeyMetadata"]["Arn"]
    assert _describe("default")["SSEDescription"]["KMSMasterKeyArn"] == managed


def test_create_table_with_an_unusable_key_is_refused_and_creates_nothing(m):
    key = m.create_imported_key(key_material=MATERIAL)
    m.client().delete_imported_key_material(KeyId=key.key_id)
    code, message = aws_error(_table, KMSMasterKeyId=key.key_id)
    assert code == "AccessDeniedException" and "is pending import." in message
    assert _ddb().list_tables()["TableNames"] == []
    code, message = aws_error(_table, KMSMasterKeyId="alias/no-such-key")
    assert code == "AccessDeniedException" and "NotFoundException" in message


def test_update_table_changes_the_key(m):
    first = m.create_imported_key(key_material=MATERIAL)
    second = m.create_imported_key()
    _table(KMSMasterKeyId=first.key_id)
    _ddb().update_table(
        TableName="t",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": second.key_id},
    )
    assert _describe()["SSEDescription"]["KMSMasterKeyArn"] == second.arn
    assert [e["resources"][0]["ARN"] for e in _ddb_events(m, "GenerateDataKey")] == [
        first.arn,
        second.arn,
    ]
    m.client().delete_imported_key_material(KeyId=first.key_id)  # no longer the table's key
    assert _ddb().get_item(TableName="t", Key=KEY)["Item"]
    _ddb().update_table(TableName="t", SSESpecification={"Enabled": False})
    assert "SSEDescription" not in _describe()


def test_update_table_cannot_change_the_key_while_the_old_one_is_unusable(m):
    first = m.create_imported_key(key_material=MATERIAL)
    second = m.create_imported_key()
    _table(KMSMasterKeyId=first.key_id)
    m.client().disable_key(KeyId=first.key_id)
    spec = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": second.key_id}
    code, _ = aws_error(_ddb().update_table, TableName="t", SSESpecification=spec)
    assert code == "AccessDeniedException"
    assert _describe()["SSEDescription"]["KMSMasterKeyArn"] == first.arn


def test_the_table_key_is_decrypted_again_after_five_minutes(m):
    key = m.create_imported_key(key_material=MATERIAL)
    _table(KMSMasterKeyId=key.key_id)
    m.advance(299)
    _ddb().get_item(TableName="t", Key=KEY)
    assert _ddb_events(m, "Decrypt") == []
    m.advance(1)
    _ddb().get_item(TableName="t", Key=KEY)
    _ddb().get_item(TableName="t", Key=KEY)
    (decrypt,) = _ddb_events(m, "Decrypt")
    assert decrypt["resources"][0]["ARN"] == key.arn


def test_tables_without_sse_never_call_kms(m):
    _ddb().create_table(
        TableName="plain",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    _ddb().put_item(TableName="plain", Item=KEY)
    assert "SSEDescription" not in _describe("plain")
    assert _ddb_events(m) == []


def test_plain_mock_aws_dynamodb_is_untouched_afterwards():
    owners = {
        DynamoDBBackend: ["create_table"],
        DynamoHandler: ["update_table", *ddb_service._DATA_ACTIONS],
        Table: ["describe"],
    }
    before = {(o, n): vars(o).get(n) for o, names in owners.items() for n in names}
    with mock_kms_import():
        assert all(vars(o).get(n) is not f for (o, n), f in before.items())
    assert {(o, n): vars(o).get(n) for (o, n) in before} == before
    with mock_aws():
        kms = boto3.client("kms", region_name="us-east-1")
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        _table(KMSMasterKeyId=key_id)
        kms.disable_key(KeyId=key_id)
        assert _describe()["TableStatus"] == "ACTIVE"  # moto never looks at the key
        assert _describe()["SSEDescription"]["KMSMasterKeyArn"] == key_id
        assert _ddb().get_item(TableName="t", Key=KEY)["Item"]


def test_list_backups_separates_user_backups_from_the_archival_one(m):
    key = m.create_imported_key(key_material=MATERIAL, valid_to=dt.timedelta(hours=1))
    _table(KMSMasterKeyId=key.key_id)
    user_arn = _ddb().create_backup(TableName="t", BackupName="mine")["BackupDetails"]["BackupArn"]

    m.travel_to(T0 + dt.timedelta(hours=1, days=7, seconds=1))
    archival_arn = _describe()["ArchivalSummary"]["ArchivalBackupArn"]

    def listed(**kwargs):
        summaries = _ddb().list_backups(TableName="t", **kwargs)["BackupSummaries"]
        return {s["BackupArn"]: s["BackupType"] for s in summaries}

    assert listed() == {user_arn: "USER"}
    assert listed(BackupType="USER") == {user_arn: "USER"}
    assert listed(BackupType="SYSTEM") == {archival_arn: "SYSTEM"}
    assert listed(BackupType="ALL") == {user_arn: "USER", archival_arn: "SYSTEM"}
