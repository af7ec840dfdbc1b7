"""Redshift under a KMS key: a running cluster keeps its cluster key; create, restore, reboot and
resume need the key again; reboot or resume after the key is back brings the cluster back."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import pathlib

import boto3
import botocore
import pytest
import time_machine
from botocore.exceptions import ClientError

from kms_import_mock import mock_kms_import
from kms_import_mock.services import redshift as redshift_service

UTC = dt.timezone.utc
T0 = dt.datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
MATERIAL = bytes(range(96, 128))


@pytest.fixture
def m():
    with time_machine.travel(T0, tick=False), mock_kms_import() as handle:
        yield handle


def _rs():
    return boto3.client("redshift", region_name="us-east-1")


def _cluster(name="rs1", **extra):
    return _rs().create_cluster(
        ClusterIdentifier=name,
        NodeType="ra3.xlplus",
        MasterUsername="admin",
        MasterUserPassword="Password123",
        ClusterType="single-node",
        **extra,
    )["Cluster"]


def _status(name="rs1"):
    return _rs().describe_clusters(ClusterIdentifier=name)["Clusters"][0]["ClusterStatus"]


def _denied(call, *args, **kwargs):
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    response = info.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
    return response["Error"]["Code"], response["Error"]["Message"]


def _rs_events(m, name=None):
    """The KMS calls redshift made that succeeded (refused ones are recorded with errorCode)."""
    return [
        e
        for e in m.events(name)
        if e["userIdentity"].get("invokedBy") == "redshift.amazonaws.com" and "errorCode" not in e
    ]


def _model():
    data = pathlib.Path(botocore.__file__).parent / "data" / "redshift"
    model_file = sorted(data.glob("*/service-2.json*"))[-1]
    raw = model_file.read_bytes()
    return json.loads(gzip.decompress(raw) if model_file.suffix == ".gz" else raw)


def test_model_has_the_codes_and_status_the_mock_uses():
    model = _model()
    shapes, operations = model["shapes"], model["operations"]
    denied = shapes["DependentServiceAccessDeniedFault"]["error"]
    assert denied == {"code": "DependentServiceAccessDenied", "httpStatusCode": 403,
                      "senderFault": True}  # fmt: skip
    # Current models list it for CreateCluster and RestoreFromClusterSnapshot; older ones
    # (before the supported floor) have the shape but not yet in those operations' lists.
    assert "InvalidClusterStateFault" in {e["shape"] for e in operations["RebootCluster"]["errors"]}
    status_doc = shapes["Cluster"]["members"]["ClusterStatus"]["documentation"]
    assert f"<code>{redshift_service.FAILED_STATUS}</code>" in status_doc


def test_create_makes_a_cluster_key_with_redshifts_context(m):
    key = m.create_imported_key(key_material=MATERIAL)
    created = _cluster(Encrypted=True, KmsKeyId=key.key_id)
    assert created["KmsKeyId"] == key.arn and created["Encrypted"] is True
    (generated,) = _rs_events(m, "GenerateDataKey")
    assert generated["resources"][0]["ARN"] == key.arn
    assert generated["requestParameters"]["encryptionContext"] == {
        "aws:redshift:arn": "arn:aws:redshift:us-east-1:123456789012:cluster:rs1",
        "aws:redshift:createtime": "20300501T1200Z",
    }


def test_a_running_cluster_stays_available_and_a_reboot_fails_until_the_key_is_back(m):
    key = m.create_imported_key(key_material=MATERIAL)
    _cluster(Encrypted=True, KmsKeyId=key.key_id)
    _cluster("plain")
    m.client().delete_imported_key_material(KeyId=key.key_id)
    m.advance(dt.timedelta(days=30))
    assert _status() == "available"  # the cluster key is held in memory

    rebooted = _rs().reboot_cluster(ClusterIdentifier="rs1")["Cluster"]
    assert rebooted["ClusterStatus"] == "rebooting"
    assert _status() == "incompatible-hsm"
    _rs().reboot_cluster(ClusterIdentifier="plain")
    assert _status("plain") == "available"  # unrelated clusters are untouched
    _rs().reboot_cluster(ClusterIdentifier="rs1")
    assert _status() == "incompatible-hsm"  # still no key

    m.import_key_material(key.key_id, MATERIAL)
    _rs().reboot_cluster(ClusterIdentifier="rs1")
    assert _status() == "available"
    assert len(_rs_events(m, "Decrypt")) == 1  # only the reboot that got the key


def test_resume_of_a_paused_cluster_needs_the_key(m):
    kms = m.client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    _cluster(Encrypted=True, KmsKeyId=key_id)
    _rs().pause_cluster(ClusterIdentifier="rs1")
    kms.disable_key(KeyId=key_id)
    _rs().resume_cluster(ClusterIdentifier="rs1")
    assert _status() == "incompatible-hsm"
    kms.enable_key(KeyId=key_id)
    _rs().resume_cluster(ClusterIdentifier="rs1")
    assert _status() == "available"


def test_create_under_an_unusable_key_is_refused_and_creates_nothing(m):
    key = m.create_imported_key(key_material=MATERIAL)
    m.client().delete_imported_key_material(KeyId=key.key_id)
    code, message = _denied(_cluster, Encrypted=True, KmsKeyId=key.key_id)
    assert code == "DependentServiceAccessDenied"
    assert message == (
        f"Amazon Redshift cannot use the KMS key {key.key_id}: "
        f"KMSInvalidStateException: {key.arn} is pending import."
    )
    assert _rs().describe_clusters()["Clusters"] == []
    assert _rs().describe_cluster_snapshots()["Snapshots"] == []
    assert _rs_events(m) == []


def test_restore_needs_the_snapshots_key_and_keeps_it(m):
    key = m.create_imported_key(key_material=MATERIAL)
    _cluster(Encrypted=True, KmsKeyId=key.key_id)
    snapshot = _rs().create_cluster_snapshot(
        SnapshotIdentifier="snap", ClusterIdentifier="rs1"
    )["Snapshot"]
    assert snapshot["KmsKeyId"] == key.arn
    m.client().disable_key(KeyId=key.key_id)
    code, message = _denied(
        _rs().restore_from_cluster_snapshot, ClusterIdentifier="rs2", SnapshotIdentifier="snap"
    )
    assert code == "DependentServiceAccessDenied" and "DisabledException" in message
    assert [c["ClusterIdentifier"] for c in _rs().describe_clusters()["Clusters"]] == ["rs1"]
    m.client().enable_key(KeyId=key.key_id)
    restored = _rs().restore_from_cluster_snapshot(
        ClusterIdentifier="rs2", SnapshotIdentifier="snap"
    )["Cluster"]
    assert restored["KmsKeyId"] == key.arn and restored["Encrypted"] is True
    assert _status("rs2") == "available"
    # The restored cluster follows the key too.
    m.client().disable_key(KeyId=key.key_id)
    _rs().reboot_cluster(ClusterIdentifier="rs2")
    assert _status("rs2") == "incompatible-hsm"


def test_reboot_of_an_unknown_or_paused_cluster(m):
    with pytest.raises(ClientError) as info:
        _rs().reboot_cluster(ClusterIdentifier="nope")
    assert info.value.response["Error"]["Code"] == "ClusterNotFound"
    _cluster()
    _rs().pause_cluster(ClusterIdentifier="rs1")
    with pytest.raises(ClientError) as info:
        _rs().reboot_cluster(ClusterIdentifier="rs1")
    assert info.value.response["Error"]["Code"] == "InvalidClusterState"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_clusters_without_a_customer_key_never_call_kms(m):
    _cluster("plain")
    _cluster("owned", Encrypted=True)
    _rs().reboot_cluster(ClusterIdentifier="plain")
    _rs().pause_cluster(ClusterIdentifier="owned")
    _rs().resume_cluster(ClusterIdentifier="owned")
    assert _status("owned") == "available"
    assert _rs_events(m) == []
