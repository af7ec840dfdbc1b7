"""Once a key's waiting period ends and KMS deletes it, what services kept under it stays
unreadable and nothing new can be written under it (the sweep over every patched operation is
in test_no_500_sweep)."""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from botocore.exceptions import ClientError

from kms_import_mock import mock_kms_import

#: What KMS answers for a ciphertext whose key the Region no longer has.
GONE = (
    "The ciphertext refers to a customer master key that does not exist, does not exist in this "
    "region, or you are not allowed to access."
)


def error(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    return dict(err.value.response["Error"])


def test_reads_and_writes_under_a_deleted_key_are_refused() -> None:
    with mock_kms_import() as m:
        key = m.create_imported_key()
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="kept-objects")
        sse = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key.arn}
        s3.put_object(Bucket="kept-objects", Key="o", Body=b"x", **sse)
        secrets = boto3.client("secretsmanager", region_name="us-east-1")
        secrets.create_secret(Name="kept", SecretString="v", KmsKeyId=key.arn)
        m.client().schedule_key_deletion(KeyId=key.key_id, PendingWindowInDays=7)
        m.advance(dt.timedelta(days=7))

        assert error(s3.get_object, Bucket="kept-objects", Key="o") == {
            "Code": "KMS.AccessDeniedException", "Message": GONE,
        }  # fmt: skip
        refused = error(secrets.get_secret_value, SecretId="kept")
        assert refused["Code"] == "DecryptionFailure"
        assert refused["Message"].endswith(f"{GONE} (AccessDeniedException)")
        assert error(s3.put_object, Bucket="kept-objects", Key="new", Body=b"x", **sse) == {
            "Code": "KMS.NotFoundException", "Message": f"Key '{key.arn}' does not exist",
        }  # fmt: skip
        assert [k["Key"] for k in s3.list_objects_v2(Bucket="kept-objects")["Contents"]] == ["o"]
