"""SQS, DynamoDB and CloudWatch follow the key through the server: boto3 over HTTP, the clock
moved by the server's control API."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from kms_import_mock import wrap_key_material

MATERIAL = bytes(range(64, 96))


def _client(service: str, url: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}),
    )


def _advance(url: str, seconds: float) -> None:
    body = json.dumps({"seconds": seconds}).encode()
    request = urllib.request.Request(f"{url}/_kms_import/clock/advance", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


def _now(url: str) -> Any:
    import datetime as dt

    with urllib.request.urlopen(f"{url}/_kms_import/clock", timeout=30) as response:
        clock = json.load(response)
    return dt.datetime.fromisoformat(clock["now"].replace("Z", "+00:00"))


def _imported_key(kms: Any, **expiry: Any) -> str:
    key_id: str = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    _import(kms, key_id, **expiry)
    return key_id


def _import(kms: Any, key_id: str, **expiry: Any) -> None:
    params = kms.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    blob = wrap_key_material(params["PublicKey"], MATERIAL, "RSAES_OAEP_SHA_256")
    kms.import_key_material(
        KeyId=key_id,
        ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=blob,
        **(expiry or {"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}),
    )


def _code(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    code: str = info.value.response["Error"]["Code"]
    return code


def test_sqs_over_http(kms_import_server: str) -> None:
    kms, sqs = _client("kms", kms_import_server), _client("sqs", kms_import_server)
    key_id = _imported_key(kms)
    url = sqs.create_queue(
        QueueName="q", Attributes={"KmsMasterKeyId": key_id, "KmsDataKeyReusePeriodSeconds": "60"}
    )["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="one")
    kms.delete_imported_key_material(KeyId=key_id)
    sqs.send_message(QueueUrl=url, MessageBody="two")  # within the reuse period
    _advance(kms_import_server, 60)
    assert _code(sqs.send_message, QueueUrl=url, MessageBody="x") == "KmsInvalidState"
    assert _code(sqs.receive_message, QueueUrl=url) == "KmsInvalidState"
    _import(kms, key_id)
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in messages) == ["one", "two"]


def test_dynamodb_over_http(kms_import_server: str) -> None:
    kms, ddb = _client("kms", kms_import_server), _client("dynamodb", kms_import_server)
    key_id = _imported_key(kms)
    ddb.create_table(
        TableName="t",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key_id},
    )
    ddb.put_item(TableName="t", Item={"pk": {"S": "a"}})
    kms.delete_imported_key_material(KeyId=key_id)
    assert _code(ddb.get_item, TableName="t", Key={"pk": {"S": "a"}}) == "AccessDeniedException"
    table = ddb.describe_table(TableName="t")["Table"]
    assert table["TableStatus"] == "INACCESSIBLE_ENCRYPTION_CREDENTIALS"
    _advance(kms_import_server, 7 * 86400 + 600)
    table = ddb.describe_table(TableName="t")["Table"]
    assert table["TableStatus"] == "ARCHIVED"
    assert table["ArchivalSummary"]["ArchivalReason"] == "INACCESSIBLE_ENCRYPTION_CREDENTIALS"


def test_cloudwatch_over_http(kms_import_server: str) -> None:
    import datetime as dt

    kms, cw = _client("kms", kms_import_server), _client("cloudwatch", kms_import_server)
    start = _now(kms_import_server)
    key_id = _imported_key(kms, ValidTo=start + dt.timedelta(hours=1))
    _advance(kms_import_server, 3 * 60)
    points = cw.get_metric_statistics(
        Namespace="AWS/KMS",
        MetricName="SecondsUntilKeyMaterialExpiration",
        Dimensions=[{"Name": "KeyId", "Value": key_id}],
        StartTime=start,
        EndTime=start + dt.timedelta(hours=1),
        Period=60,
        Statistics=["Minimum"],
    )["Datapoints"]
    # One per whole minute from the import to the server's now, three minutes later: three,
    # or four when the server's own time crossed one more minute boundary meanwhile.
    assert 3 <= len(points) <= 4
    values = [p["Minimum"] for p in sorted(points, key=lambda p: p["Timestamp"])]
    assert all(0 < v < 3600 for v in values)
    steps = [values[i] - values[i + 1] for i in range(len(values) - 1)]
    assert steps == [60.0] * (len(values) - 1)
    metrics = cw.list_metrics(Namespace="AWS/KMS")["Metrics"]
    assert metrics[0]["Dimensions"] == [{"Name": "KeyId", "Value": key_id}]
