"""Server mode: S3, Secrets Manager and SSM of ``kms-import-mock serve`` follow the KMS key too."""

from __future__ import annotations

from tests.helpers import aws_error
from tests.services.service_helpers import (
    endpoint_client,
    import_material,
    imported_key,
    invokers,
)


def test_s3_over_http(kms_import_server: str) -> None:
    kms, s3 = endpoint_client("kms", kms_import_server), endpoint_client("s3", kms_import_server)
    key_id, arn, material = imported_key(kms)
    s3.create_bucket(Bucket="served-bucket")
    written = s3.put_object(
        Bucket="served-bucket",
        Key="k",
        Body=b"over http",
        ServerSideEncryption="aws:kms",
        SSEKMSKeyId=key_id,
    )
    assert written["SSEKMSKeyId"] == arn
    kms.delete_imported_key_material(KeyId=key_id)
    assert aws_error(s3.get_object, Bucket="served-bucket", Key="k") == (
        "KMS.KMSInvalidStateException",
        f"{arn} is pending import.",
    )
    import_material(kms, key_id, material)
    assert s3.get_object(Bucket="served-bucket", Key="k")["Body"].read() == b"over http"
    invoked = invokers(kms_import_server, "Decrypt")
    assert invoked == {"s3.amazonaws.com"}


def test_secrets_manager_over_http(kms_import_server: str) -> None:
    kms = endpoint_client("kms", kms_import_server)
    sm = endpoint_client("secretsmanager", kms_import_server)
    key_id, arn, material = imported_key(kms)
    sm.create_secret(Name="served", SecretString="v", KmsKeyId=key_id)
    kms.delete_imported_key_material(KeyId=key_id)
    code, message = aws_error(sm.get_secret_value, SecretId="served")
    assert code == "DecryptionFailure" and f"{arn} is pending import." in message
    import_material(kms, key_id, material)
    assert sm.get_secret_value(SecretId="served")["SecretString"] == "v"


def test_ssm_over_http(kms_import_server: str) -> None:
    kms, ssm = endpoint_client("kms", kms_import_server), endpoint_client("ssm", kms_import_server)
    key_id, arn, material = imported_key(kms)
    ssm.put_parameter(Name="/served", Value="v", Type="SecureString", KeyId=key_id)
    assert ssm.get_parameter(Name="/served")["Parameter"]["Value"] != "v"
    kms.delete_imported_key_material(KeyId=key_id)
    assert aws_error(ssm.get_parameter, Name="/served", WithDecryption=True) == (
        "InvalidKeyId",
        f"{arn} is pending import. (Service: AWSKMS; Status Code: 400; "
        "Error Code: KMSInvalidStateException)",
    )
    import_material(kms, key_id, material)
    assert ssm.get_parameter(Name="/served", WithDecryption=True)["Parameter"]["Value"] == "v"
