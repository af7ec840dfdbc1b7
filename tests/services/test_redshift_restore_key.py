"""RestoreFromClusterSnapshot with a ``KmsKeyId``: the restore needs the snapshot's key to
decrypt its cluster key and the requested key to make a new one; the restored cluster is then
encrypted under, and follows, the requested key."""

from __future__ import annotations

import pytest
import time_machine
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.redshift.responses import RedshiftResponse

from kms_import_mock import mock_kms_import
from tests.services.service_helpers import endpoint_client
from tests.services.test_rds_redshift_restore import _rs_cluster, _rs_status
from tests.services.test_redshift import MATERIAL, T0, _rs

OTHER_MATERIAL = bytes(range(160, 192))


@pytest.fixture
def m():
    with time_machine.travel(T0, tick=False), mock_kms_import() as handle:
        yield handle


def _names(rs):
    return sorted(c["ClusterIdentifier"] for c in rs.describe_clusters()["Clusters"])


def _snapshots(rs):
    return sorted(s["SnapshotIdentifier"] for s in rs.describe_cluster_snapshots()["Snapshots"])


def _denied(call, **kwargs):
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    response = info.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert response["Error"]["Code"] == "DependentServiceAccessDenied"
    return response["Error"]["Message"]


def _rs_events(m, name=None):
    return [
        e
        for e in m.events(name)
        if e["userIdentity"].get("invokedBy") == "redshift.amazonaws.com" and "errorCode" not in e
    ]


@pytest.fixture
def snap(m):
    """An encrypted cluster ``rs1`` under key ``old`` with a manual snapshot ``snap``, and a
    second imported key ``new`` to restore under."""
    old = m.create_imported_key(key_material=MATERIAL)
    new = m.create_imported_key(key_material=OTHER_MATERIAL)
    _rs_cluster(_rs(), "rs1", Encrypted=True, KmsKeyId=old.key_id)
    _rs().create_cluster_snapshot(SnapshotIdentifier="snap", ClusterIdentifier="rs1")
    return old, new


def test_the_restored_cluster_is_encrypted_under_the_requested_key(m, snap):
    old, new = snap
    before = len(m.events())
    restored = _rs().restore_from_cluster_snapshot(
        ClusterIdentifier="rs2", SnapshotIdentifier="snap", KmsKeyId=new.key_id
    )["Cluster"]
    assert restored["KmsKeyId"] == new.arn and restored["Encrypted"] is True
    described = _rs().describe_clusters(ClusterIdentifier="rs2")["Clusters"][0]
    assert described["KmsKeyId"] == new.arn and described["ClusterStatus"] == "available"
    # Decrypt of the snapshot's cluster key under the old key, a new cluster key under the new.
    calls = [(e["eventName"], e["resources"][0]["ARN"]) for e in m.events()[before:]]
    assert calls == [("Decrypt", old.arn), ("GenerateDataKey", new.arn)]
    (generated,) = m.events("GenerateDataKey")[1:]  # the first is rs1's
    assert generated["requestParameters"]["encryptionContext"] == {
        "aws:redshift:arn": "arn:aws:redshift:us-east-1:123456789012:cluster:rs2",
        "aws:redshift:createtime": "20300501T1200Z",
    }
    # A snapshot of the restored cluster carries the new key.
    taken = _rs().create_cluster_snapshot(SnapshotIdentifier="snap2", ClusterIdentifier="rs2")
    assert taken["Snapshot"]["KmsKeyId"] == new.arn


def test_any_key_form_names_the_requested_key(m, snap):
    _, new = snap
    m.client().create_alias(AliasName="alias/restored", TargetKeyId=new.key_id)
    for name, ref in (("by-alias", "alias/restored"), ("by-arn", new.arn)):
        restored = _rs().restore_from_cluster_snapshot(
            ClusterIdentifier=name, SnapshotIdentifier="snap", KmsKeyId=ref
        )["Cluster"]
        assert restored["KmsKeyId"] == new.arn


def test_the_snapshots_key_unusable_refuses_the_restore(m, snap):
    old, new = snap
    m.client().disable_key(KeyId=old.key_id)
    snapshots = _snapshots(_rs())
    message = _denied(
        _rs().restore_from_cluster_snapshot,
        ClusterIdentifier="rs2",
        SnapshotIdentifier="snap",
        KmsKeyId=new.key_id,
    )
    assert message == (
        f"Amazon Redshift cannot use the KMS key {old.arn}: "
        f"DisabledException: {old.arn} is disabled."
    )
    assert _names(_rs()) == ["rs1"] and _snapshots(_rs()) == snapshots
    assert len(_rs_events(m, "GenerateDataKey")) == 1  # rs1's only


def test_the_requested_key_unusable_refuses_the_restore(m, snap):
    old, new = snap
    m.client().delete_imported_key_material(KeyId=new.key_id)
    snapshots = _snapshots(_rs())
    message = _denied(
        _rs().restore_from_cluster_snapshot,
        ClusterIdentifier="rs2",
        SnapshotIdentifier="snap",
        KmsKeyId=new.key_id,
    )
    assert message == (
        f"Amazon Redshift cannot use the KMS key {new.key_id}: "
        f"KMSInvalidStateException: {new.arn} is pending import."
    )
    assert _names(_rs()) == ["rs1"] and _snapshots(_rs()) == snapshots
    # A key that names no key is refused the same way.
    message = _denied(
        _rs().restore_from_cluster_snapshot,
        ClusterIdentifier="rs2",
        SnapshotIdentifier="snap",
        KmsKeyId="alias/none",
    )
    assert "NotFoundException" in message and _names(_rs()) == ["rs1"]
    # Usable again: the same request restores.
    m.import_key_material(new.key_id, OTHER_MATERIAL)
    _rs().restore_from_cluster_snapshot(
        ClusterIdentifier="rs2", SnapshotIdentifier="snap", KmsKeyId=new.key_id
    )
    assert _names(_rs()) == ["rs1", "rs2"]
    assert old.arn != new.arn


def test_the_restored_cluster_follows_the_requested_key_not_the_snapshots(m, snap):
    old, new = snap
    _rs().restore_from_cluster_snapshot(
        ClusterIdentifier="rs2", SnapshotIdentifier="snap", KmsKeyId=new.key_id
    )
    kms = m.client()
    kms.disable_key(KeyId=old.key_id)
    _rs().reboot_cluster(ClusterIdentifier="rs2")
    assert _rs_status(_rs(), "rs2") == "available"  # the snapshot's key is no longer needed
    kms.enable_key(KeyId=old.key_id)

    kms.delete_imported_key_material(KeyId=new.key_id)
    assert _rs_status(_rs(), "rs2") == "available"  # held in memory
    _rs().reboot_cluster(ClusterIdentifier="rs2")
    assert _rs_status(_rs(), "rs2") == "incompatible-hsm"
    _rs().reboot_cluster(ClusterIdentifier="rs1")
    assert _rs_status(_rs(), "rs1") == "available"  # the source cluster has its own key
    m.import_key_material(new.key_id, OTHER_MATERIAL)
    _rs().reboot_cluster(ClusterIdentifier="rs2")
    assert _rs_status(_rs(), "rs2") == "available"


def test_an_unencrypted_snapshot_restores_encrypted_under_the_requested_key(m):
    key = m.create_imported_key(key_material=MATERIAL)
    _rs_cluster(_rs(), "plain")
    _rs().create_cluster_snapshot(SnapshotIdentifier="plain-snap", ClusterIdentifier="plain")
    restored = _rs().restore_from_cluster_snapshot(
        ClusterIdentifier="sealed", SnapshotIdentifier="plain-snap", KmsKeyId=key.key_id
    )["Cluster"]
    assert restored["Encrypted"] is True and restored["KmsKeyId"] == key.arn
    assert [e["eventName"] for e in _rs_events(m)] == ["GenerateDataKey"]  # nothing to decrypt
    m.client().disable_key(KeyId=key.key_id)
    _rs().reboot_cluster(ClusterIdentifier="sealed")
    assert _rs_status(_rs(), "sealed") == "incompatible-hsm"


def test_moto_errors_come_first_and_call_no_kms(m, snap):
    _, new = snap
    before = len(m.events())
    for cluster, snapshot, code in (
        ("rs1", "snap", "ClusterAlreadyExists"),
        ("rs2", "missing", "ClusterSnapshotNotFound"),
    ):
        with pytest.raises(ClientError) as info:
            _rs().restore_from_cluster_snapshot(
                ClusterIdentifier=cluster, SnapshotIdentifier=snapshot, KmsKeyId=new.key_id
            )
        assert info.value.response["Error"]["Code"] == code
    assert len(m.events()) == before


def test_plain_moto_after_stop_ignores_the_restores_key_as_before():
    original = RedshiftResponse.restore_from_cluster_snapshot
    with mock_aws():
        rs = _rs()
        with mock_kms_import():
            assert RedshiftResponse.restore_from_cluster_snapshot is not original
        assert RedshiftResponse.restore_from_cluster_snapshot is original
        _rs_cluster(rs, "src", Encrypted=True, KmsKeyId="old-key")
        rs.create_cluster_snapshot(SnapshotIdentifier="snap", ClusterIdentifier="src")
        restored = rs.restore_from_cluster_snapshot(
            ClusterIdentifier="copy", SnapshotIdentifier="snap", KmsKeyId="new-key"
        )["Cluster"]
        assert "KmsKeyId" not in restored  # moto neither reads nor keeps it


def test_restore_under_a_requested_key_over_http(kms_import_server: str) -> None:
    kms = endpoint_client("kms", kms_import_server)
    rs = endpoint_client("redshift", kms_import_server)
    old = kms.create_key()["KeyMetadata"]
    new = kms.create_key()["KeyMetadata"]
    _rs_cluster(rs, "served", Encrypted=True, KmsKeyId=old["KeyId"])
    rs.create_cluster_snapshot(SnapshotIdentifier="served-snap", ClusterIdentifier="served")
    kms.disable_key(KeyId=new["KeyId"])
    message = _denied(
        rs.restore_from_cluster_snapshot,
        ClusterIdentifier="copy",
        SnapshotIdentifier="served-snap",
        KmsKeyId=new["KeyId"],
    )
    assert "DisabledException" in message and _names(rs) == ["served"]
    kms.enable_key(KeyId=new["KeyId"])
    restored = rs.restore_from_cluster_snapshot(
        ClusterIdentifier="copy", SnapshotIdentifier="served-snap", KmsKeyId=new["KeyId"]
    )["Cluster"]
    assert restored["KmsKeyId"] == new["Arn"]
    kms.disable_key(KeyId=new["KeyId"])
    rs.reboot_cluster(ClusterIdentifier="copy")
    assert _rs_status(rs, "copy") == "incompatible-hsm"
