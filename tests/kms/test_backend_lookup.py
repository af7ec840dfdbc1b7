"""The Response remembers its backend for one request only: each Region keeps its own."""

from __future__ import annotations

import boto3

from kms_import_mock import mock_kms_import


def test_each_region_is_served_by_its_own_backend() -> None:
    with mock_kms_import():
        east, west = (boto3.client("kms", region_name=r) for r in ("us-east-1", "eu-west-1"))
        east_key = east.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
        west_key = west.create_key()["KeyMetadata"]["KeyId"]
        for _ in range(2):  # alternate, so a stale remembered backend would show
            assert [k["KeyId"] for k in east.list_keys()["Keys"]] == [east_key]
            assert [k["KeyId"] for k in west.list_keys()["Keys"]] == [west_key]
            assert east.describe_key(KeyId=east_key)["KeyMetadata"]["Origin"] == "EXTERNAL"
