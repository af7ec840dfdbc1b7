"""The integrated services are installed on start and restored exactly on stop.

After the mock stops, plain ``mock_aws`` serves S3, Secrets Manager and SSM as moto does:
no KMS call, no refusal for a disabled key, SSM's own ``kms:<key id>:<value>`` format.
"""

from __future__ import annotations

import pathlib
from typing import Any

import boto3
from moto import mock_aws

from kms_import_mock import mock_kms_import
from kms_import_mock.services import registry
from tests.helpers import aws_error


def _patched_classes() -> list[type]:
    from moto.s3.models import S3Backend
    from moto.s3.responses import S3Response
    from moto.secretsmanager.models import SecretsManagerBackend
    from moto.ssm.models import Parameter, SimpleSystemManagerBackend

    return [S3Backend, S3Response, SecretsManagerBackend, SimpleSystemManagerBackend, Parameter]


def _attributes() -> list[dict[str, Any]]:
    return [dict(vars(cls)) for cls in _patched_classes()]


def test_every_service_is_registered() -> None:
    """Every service module of the layer is installed; the shared pieces are not services."""
    shared = {"__init__", "envelope", "patching", "registry", "import_hook", "cloudtrail"}
    shared |= {"held_keys"}  # data keys held per resource, for Kinesis, SNS and Lambda
    shared |= {"dynamodb_copies", "dynamodb_partiql"}  # parts of dynamodb, installed by it
    shared |= {"secretsmanager_replicas", "s3_notifications"}  # parts, installed by theirs
    folder = pathlib.Path(registry.__file__).parent
    modules = {path.stem for path in folder.glob("*.py")} - shared
    assert set(registry.INTEGRATED) == modules
    assert len(registry.INTEGRATED) == len(modules)


def test_install_on_start_restore_exactly_on_stop_nested_too() -> None:
    before = _attributes()
    with mock_kms_import():
        during = _attributes()
        assert during != before
        with mock_kms_import():
            assert _attributes() == during  # nested use installs nothing twice
        assert _attributes() == during  # the outer use still has its services
    assert _attributes() == before


def _customer_key() -> tuple[Any, str, str]:
    kms = boto3.client("kms", region_name="us-east-1")
    meta = kms.create_key()["KeyMetadata"]
    return kms, meta["KeyId"], meta["Arn"]


def test_plain_mock_aws_behaves_as_before_after_stop() -> None:
    with mock_kms_import():
        pass
    with mock_aws():
        kms, key_id, arn = _customer_key()
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="plain-bucket")
        s3.put_object(
            Bucket="plain-bucket",
            Key="k",
            Body=b"plain moto",
            ServerSideEncryption="aws:kms",
            SSEKMSKeyId=arn,
        )
        sm = boto3.client("secretsmanager", region_name="us-east-1")
        sm.create_secret(Name="s", SecretString="v", KmsKeyId=arn)
        ssm = boto3.client("ssm", region_name="us-east-1")
        ssm.put_parameter(Name="p", Value="v", Type="SecureString")
        kms.disable_key(KeyId=key_id)

        # Plain moto never asks KMS: a disabled key refuses nothing.
        assert s3.get_object(Bucket="plain-bucket", Key="k")["Body"].read() == b"plain moto"
        assert (
            s3.put_object(
                Bucket="plain-bucket",
                Key="k2",
                Body=b"x",
                ServerSideEncryption="aws:kms",
                SSEKMSKeyId=arn,
            )["SSEKMSKeyId"]
            == arn
        )
        assert sm.get_secret_value(SecretId="s")["SecretString"] == "v"
        assert ssm.get_parameter(Name="p")["Parameter"]["Value"] == "kms:alias/aws/ssm:v"
        assert ssm.get_parameter(Name="p", WithDecryption=True)["Parameter"]["Value"] == "v"


def test_an_outer_mock_aws_is_plain_again_once_the_mock_stops() -> None:
    with mock_aws():
        with mock_kms_import():
            kms, key_id, arn = _customer_key()
            kms.disable_key(KeyId=key_id)
            s3 = boto3.client("s3", region_name="us-east-1")
            s3.create_bucket(Bucket="outer-bucket")
            ssm = boto3.client("ssm", region_name="us-east-1")
            refused = aws_error(
                ssm.put_parameter, Name="p", Value="v", Type="SecureString", KeyId=arn
            )
            assert refused[0] == "InvalidKeyId"  # while the mock runs, the key is checked
        s3.put_object(
            Bucket="outer-bucket",
            Key="k",
            Body=b"x",
            ServerSideEncryption="aws:kms",
            SSEKMSKeyId="alias/aws/s3",
        )
        assert s3.get_object(Bucket="outer-bucket", Key="k")["Body"].read() == b"x"
        ssm.put_parameter(Name="p", Value="v", Type="SecureString")
        assert ssm.get_parameter(Name="p")["Parameter"]["Value"] == "kms:alias/aws/ssm:v"
