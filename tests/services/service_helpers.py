"""Helpers of the integrated-service tests."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import boto3

from kms_import_mock import generate_key_material, wrap_key_material


def endpoint_client(service: str, url: str, region_name: str = "us-east-1") -> Any:
    """A boto3 client of ``service`` for the server at ``url``, no retries."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        endpoint_url=url,
        region_name=region_name,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}),
    )


def streams_client() -> Any:
    """A DynamoDB Streams client on the Regional endpoint.

    botocore now sends Streams calls to account-based endpoints
    (``<account>.streams-ddb.<region>.amazonaws.com``), which moto before 5.2.6 does not route;
    the Regional endpoint works on every supported moto.
    """
    return boto3.client(
        "dynamodbstreams",
        region_name="us-east-1",
        endpoint_url="https://streams.dynamodb.us-east-1.amazonaws.com",
    )


# -- a served mock (``kms_import_server``), over raw HTTP ----------------------------------------


def imported_key(kms: Any) -> tuple[str, str, bytes]:
    """An EXTERNAL key with imported symmetric material: (key id, ARN, material)."""
    meta = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    material = generate_key_material("SYMMETRIC_DEFAULT")
    import_material(kms, meta["KeyId"], material)
    return meta["KeyId"], meta["Arn"], material


def import_material(kms: Any, key_id: str, material: bytes) -> None:
    """The whole import (GetParametersForImport, wrap, ImportKeyMaterial), never expiring."""
    params = kms.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    kms.import_key_material(
        KeyId=key_id,
        ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=wrap_key_material(params["PublicKey"], material, "RSAES_OAEP_SHA_256"),
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
    )


def served_events(url: str, name: str) -> list[dict[str, Any]]:
    """The served mock's CloudTrail records named ``name`` (its control API)."""
    with urllib.request.urlopen(f"{url}/_kms_import/events?name={name}", timeout=30) as reply:
        body = json.load(reply)
    return list(body["events"] if isinstance(body, dict) else body)


def invokers(url: str, name: str) -> set[str]:
    """Who invoked the served mock's ``name`` calls (``invokedBy``; None for a caller's own)."""
    return {e["userIdentity"].get("invokedBy") for e in served_events(url, name)}


def advance_clock(url: str, seconds: float) -> None:
    """Move the served mock's clock (its control API)."""
    body = json.dumps({"seconds": seconds}).encode()
    request = urllib.request.Request(f"{url}/_kms_import/clock/advance", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
