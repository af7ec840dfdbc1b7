"""Helpers of the integrated-service tests."""

from __future__ import annotations

from typing import Any

import boto3


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
