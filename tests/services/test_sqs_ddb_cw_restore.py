"""SQS, DynamoDB and CloudWatch patches: installed once for nested use, restored exactly, and
what was made under the mock is served by plain moto once an outer ``mock_aws`` goes on."""

from __future__ import annotations

import datetime as dt

import boto3
from moto import mock_aws
from moto.cloudwatch.models import CloudWatchBackend
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler
from moto.sqs.models import SQSBackend

from kms_import_mock import mock_kms_import
from kms_import_mock.services import registry
from tests.helpers import aws_error

CLASSES = (SQSBackend, DynamoDBBackend, DynamoHandler, Table, CloudWatchBackend)


def _snapshot() -> list[dict[str, object]]:
    return [dict(vars(cls)) for cls in CLASSES]


def test_the_three_services_are_registered():
    assert {"sqs", "dynamodb", "cloudwatch"} <= set(registry.INTEGRATED)


def test_nested_mocks_install_once_and_restore_on_the_last_stop():
    before = _snapshot()
    with mock_kms_import():
        inside = _snapshot()
        assert inside != before
        with mock_kms_import():
            assert _snapshot() == inside
        assert _snapshot() == inside  # the inner stop leaves the outer mock's patches
    assert _snapshot() == before


def test_objects_made_under_the_mock_are_served_plain_by_an_outer_mock_aws():
    with mock_aws():
        with mock_kms_import() as m:
            key = m.create_imported_key(valid_to=dt.timedelta(hours=1))
            sqs = boto3.client("sqs", region_name="us-east-1")
            url = sqs.create_queue(QueueName="q", Attributes={"KmsMasterKeyId": key.key_id})[
                "QueueUrl"
            ]
            sqs.send_message(QueueUrl=url, MessageBody="sealed")
            ddb = boto3.client("dynamodb", region_name="us-east-1")
            ddb.create_table(
                TableName="t",
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
                SSESpecification={"Enabled": True, "KMSMasterKeyId": key.key_id},
            )
            m.client().delete_imported_key_material(KeyId=key.key_id)
            m.advance(dt.timedelta(days=8))
            assert aws_error(sqs.receive_message, QueueUrl=url)[0] == "KmsInvalidState"
            assert ddb.describe_table(TableName="t")["Table"]["TableStatus"] == "ARCHIVED"
        # Plain moto again: it never looks at the key.
        messages = sqs.receive_message(QueueUrl=url)["Messages"]
        assert [message["Body"] for message in messages] == ["sealed"]
        table = ddb.describe_table(TableName="t")["Table"]
        assert table["TableStatus"] == "ACTIVE" and "ArchivalSummary" not in table
        assert ddb.scan(TableName="t")["Count"] == 0
        cw = boto3.client("cloudwatch", region_name="us-east-1")
        assert cw.list_metrics(Namespace="AWS/KMS")["Metrics"] == []
