"""A service is patched when moto's package for it is first imported, not on start.

Each scenario runs in a fresh interpreter: in this one, the other tests have long imported
moto's EC2, S3, SSM, ... packages, so only a new process shows what a user's first test sees.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from kms_import_mock.services import registry

PRELUDE = """
import sys
import boto3
from botocore.exceptions import ClientError
from kms_import_mock import mock_kms_import
from kms_import_mock._aio import AioInstaller
from kms_import_mock.services.import_hook import AfterImport

def hooks():
    # The services' hooks (where aiobotocore is installed, one more waits for its import).
    return [f for f in sys.meta_path if isinstance(f, AfterImport)
            and not isinstance(getattr(f._callback, "__self__", None), AioInstaller)]

def unusable_key(m):
    key = m.create_imported_key()
    m.client().delete_imported_key_material(KeyId=key.key_id)
    return key.key_id
"""


def _run(body: str) -> str:
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    env.update(AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true")
    env.pop("AWS_PROFILE", None)
    done = subprocess.run(
        [sys.executable, "-c", PRELUDE + textwrap.dedent(body)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_every_service_names_the_moto_package_it_waits_for() -> None:
    assert set(registry.MOTO_PACKAGE) == set(registry.INTEGRATED)
    assert all(package.startswith("moto.") for package in registry.MOTO_PACKAGE.values())


def test_start_imports_no_service_package_the_first_request_installs_it() -> None:
    out = _run(
        """
        with mock_kms_import() as m:
            m.client().list_keys()
            # moto's own start loads S3 and CloudWatch; the mock adds none of the others.
            waiting = [p for p in ("moto.ec2", "moto.ssm", "moto.dynamodb", "moto.sqs",
                                   "moto.secretsmanager") if p not in sys.modules]
            print("not imported on start:", len(waiting))
            key_id = unusable_key(m)
            ec2 = boto3.client("ec2")   # moto imports its EC2 package on this first request
            volume = ec2.create_volume(Size=8, AvailabilityZone="us-east-1a", Encrypted=True,
                                       KmsKeyId=key_id)["VolumeId"]
            state = ec2.describe_volumes(VolumeIds=[volume])["Volumes"][0]["State"]
            print("volume under an unusable key:", state)
            s3 = boto3.client("s3")
            s3.create_bucket(Bucket="reports")
            try:
                s3.put_object(Bucket="reports", Key="k", Body=b"x", ServerSideEncryption="aws:kms",
                              SSEKMSKeyId=key_id)
                print("put: stored")
            except ClientError as exc:
                print("put:", exc.response["Error"]["Code"])
        print("hooks after stop:", len(hooks()))
        """
    )
    assert "not imported on start: 5" in out
    assert "volume under an unusable key: error" in out
    assert "put: KMS.KMSInvalidStateException" in out
    assert "hooks after stop: 0" in out


def test_a_direct_import_installs_too_and_what_it_imports_in_turn() -> None:
    """moto's SSM imports moto's EC2 and Secrets Manager: all three are installed, in the
    same import statement."""
    out = _run(
        """
        from kms_import_mock import _activation
        with mock_kms_import():
            before = sorted(_activation._services.installed)
            from moto.ssm.models import SimpleSystemManagerBackend
            from moto.ec2.models.elastic_block_store import EBSBackend
            print("before:", before)
            print("after:", sorted(_activation._services.installed))
            print("wrapped:", SimpleSystemManagerBackend.put_parameter.__module__,
                  EBSBackend.create_volume.__module__)
        print("restored:", SimpleSystemManagerBackend.put_parameter.__module__,
              EBSBackend.create_volume.__module__)
        """
    )
    assert "before: []" in out
    assert "after: ['ebs', 'secretsmanager', 'ssm']" in out
    assert "wrapped: kms_import_mock.services.ssm kms_import_mock.services.ebs" in out
    assert "restored: moto.ssm.models moto.ec2.models.elastic_block_store" in out


def test_a_package_first_imported_after_stop_stays_plain_moto() -> None:
    out = _run(
        """
        from moto import mock_aws
        with mock_kms_import() as m:
            key_id = unusable_key(m)
        print("hooks after stop:", len(hooks()))
        from moto.ec2.models.elastic_block_store import EBSBackend
        print("create_volume:", EBSBackend.create_volume.__module__)
        with mock_aws():
            kms = boto3.client("kms")
            key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
            ec2 = boto3.client("ec2")
            volume = ec2.create_volume(Size=8, AvailabilityZone="us-east-1a", Encrypted=True,
                                       KmsKeyId=key)["VolumeId"]
            print("plain:", ec2.describe_volumes(VolumeIds=[volume])["Volumes"][0]["State"])
        """
    )
    assert "hooks after stop: 0" in out
    assert "create_volume: moto.ec2.models.elastic_block_store" in out
    assert "plain: available" in out


def test_nested_activations_install_once_and_restore_on_the_last_stop() -> None:
    out = _run(
        """
        from kms_import_mock import _activation
        with mock_kms_import():
            with mock_kms_import():
                import moto.sqs
                from moto.sqs.models import SQSBackend
                print("inner:", SQSBackend.send_message.__module__, len(hooks()))
            print("outer:", SQSBackend.send_message.__module__, len(hooks()))
        print("after:", SQSBackend.send_message.__module__, len(hooks()))
        """
    )
    assert "inner: kms_import_mock.services.sqs 1" in out
    assert "outer: kms_import_mock.services.sqs 1" in out
    assert "after: moto.sqs.models 0" in out
