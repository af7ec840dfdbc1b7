"""Server mode: the paths of test_paths_s3_sm_ssm_sqs need the KMS key over HTTP too."""

from __future__ import annotations

from tests.helpers import aws_error
from tests.services.service_helpers import endpoint_client
from tests.services.test_paths_s3_sm_ssm_sqs import BUCKET, CSV, select
from tests.services.test_services_server import _import, _imported_key


def test_s3_select_over_http(kms_import_server: str) -> None:
    kms, s3 = endpoint_client("kms", kms_import_server), endpoint_client("s3", kms_import_server)
    key_id, arn, material = _imported_key(kms)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(
        Bucket=BUCKET, Key="rows.csv", Body=CSV, ServerSideEncryption="aws:kms", SSEKMSKeyId=key_id
    )
    assert b"bolt" in select(s3, "rows.csv")
    kms.delete_imported_key_material(KeyId=key_id)
    assert aws_error(select, s3, "rows.csv") == (
        "KMS.KMSInvalidStateException",
        f"{arn} is pending import.",
    )
    _import(kms, key_id, material)
    assert b"bolt" in select(s3, "rows.csv")
