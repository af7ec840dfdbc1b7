"""CopyDBClusterSnapshot needs the source snapshot's key and the key the copy is made under; nothing
is copied when KMS refuses either, a copy under another key then follows that key only, and plain
``mock_aws`` after stop copies as moto does."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import pathlib

import boto3
import botocore
import pytest
import time_machine
from moto import mock_aws

from kms_import_mock import mock_kms_import
from kms_import_mock.services import envelope
from tests.helpers import aws_error
from tests.services.test_rds import (
    MATERIAL,
    RECOVERABLE,
    T0,
    _cluster,
    _cluster_status,
    _rds,
    _rds_events,
)


@pytest.fixture
def m():
    with time_machine.travel(T0, tick=False), mock_kms_import() as handle:
        yield handle


def _snapshot(cluster="c1", name="csnap"):
    _rds().create_db_cluster_snapshot(DBClusterIdentifier=cluster, DBClusterSnapshotIdentifier=name)


def _copy(target="ccopy", source="csnap", rds=None, **extra):
    return (rds or _rds()).copy_db_cluster_snapshot(
        SourceDBClusterSnapshotIdentifier=source,
        TargetDBClusterSnapshotIdentifier=target,
        **extra,
    )["DBClusterSnapshot"]


def _restore(target="from-copy", snapshot="ccopy"):
    return _rds().restore_db_cluster_from_snapshot(
        DBClusterIdentifier=target, SnapshotIdentifier=snapshot, Engine="aurora-postgresql"
    )["DBCluster"]


def _snapshots(rds=None):
    found = (rds or _rds()).describe_db_cluster_snapshots(SnapshotType="manual")
    return sorted(s["DBClusterSnapshotIdentifier"] for s in found["DBClusterSnapshots"])


def _clusters():
    return sorted(c["DBClusterIdentifier"] for c in _rds().describe_db_clusters()["DBClusters"])


def _make_unusable(m, key_id, how):
    if how == "delete_material":
        m.client().delete_imported_key_material(KeyId=key_id)
        return "is pending import."
    m.client().disable_key(KeyId=key_id)
    return "DisabledException"


def test_the_model_lists_the_kms_fault_for_the_copy():
    data = pathlib.Path(botocore.__file__).parent / "data" / "rds"
    model_file = sorted(data.glob("*/service-2.json*"))[-1]
    raw = model_file.read_bytes()
    model = json.loads(gzip.decompress(raw) if model_file.suffix == ".gz" else raw)
    errors = {e["shape"] for e in model["operations"]["CopyDBClusterSnapshot"]["errors"]}
    assert "KMSKeyNotAccessibleFault" in errors
    assert model["shapes"]["KMSKeyNotAccessibleFault"]["error"]["httpStatusCode"] == 400


@pytest.mark.parametrize("how", ["delete_material", "disable"])
def test_an_unusable_source_key_copies_nothing(m, how):
    key = m.create_imported_key(key_material=MATERIAL)
    other = m.create_imported_key(key_material=bytes(32))
    _cluster(StorageEncrypted=True, KmsKeyId=key.key_id)
    _snapshot()
    reason = _make_unusable(m, key.key_id, how)
    code, message = aws_error(_copy)
    assert code == "KMSKeyNotAccessibleFault"
    assert key.arn in message and reason in message
    # A usable target key does not help: the snapshot must be decrypted first.
    code, message = aws_error(_copy, KmsKeyId=other.arn)
    assert code == "KMSKeyNotAccessibleFault" and key.arn in message
    assert _snapshots() == ["csnap"]
    assert _rds_events(m, "Decrypt") == []


@pytest.mark.parametrize("how", ["delete_material", "disable"])
def test_an_unusable_target_key_copies_nothing(m, how):
    key = m.create_imported_key(key_material=MATERIAL)
    other = m.create_imported_key(key_material=bytes(32))
    _cluster(StorageEncrypted=True, KmsKeyId=key.key_id)
    _snapshot()
    reason = _make_unusable(m, other.key_id, how)
    code, message = aws_error(_copy, KmsKeyId=other.key_id)
    assert code == "KMSKeyNotAccessibleFault"
    assert message.startswith(f"Specified KMS key [{other.key_id}] does not exist")
    assert reason in message
    assert _snapshots() == ["csnap"]
    assert len(_rds_events(m, "GenerateDataKey")) == 1  # the cluster's, nothing since


def test_a_copy_under_another_key_follows_that_key(m):
    key = m.create_imported_key(key_material=MATERIAL)
    other = m.create_imported_key(key_material=bytes(32))
    _cluster(StorageEncrypted=True, KmsKeyId=key.key_id)
    _snapshot()
    copied = _copy(KmsKeyId=other.key_id)
    assert copied["KmsKeyId"] == other.arn
    assert copied["StorageEncrypted"] is True
    assert _snapshots() == ["ccopy", "csnap"]
    (decrypted,) = _rds_events(m, "Decrypt")  # the source snapshot's data key
    assert decrypted["resources"][0]["ARN"] == key.arn
    generated = _rds_events(m, "GenerateDataKey")
    assert generated[-1]["resources"][0]["ARN"] == other.arn
    assert generated[-1]["requestParameters"]["encryptionContext"] == {"aws:rds:db-id": "ccopy"}

    # The copy no longer needs the first key; restoring it needs the second.
    m.client().delete_imported_key_material(KeyId=key.key_id)
    restored = _restore()
    assert restored["KmsKeyId"] == other.arn
    assert _cluster_status("from-copy") in ("creating", "available")
    code, _ = aws_error(_restore, "again", "csnap")  # the original snapshot still needs it
    assert code == "KMSKeyNotAccessibleFault"

    m.client().disable_key(KeyId=other.key_id)
    code, message = aws_error(_restore, "refused")
    assert code == "KMSKeyNotAccessibleFault" and other.arn in message
    assert _clusters() == ["c1", "from-copy"]
    # The cluster restored from the copy runs on the second key's data key, and notices it.
    assert _cluster_status("from-copy") == "available"
    m.advance(dt.timedelta(minutes=5))
    assert _cluster_status("from-copy") == RECOVERABLE
    m.client().enable_key(KeyId=other.key_id)
    _rds().start_db_cluster(DBClusterIdentifier="from-copy")
    assert _cluster_status("from-copy") == "available"


def test_a_copy_kms_refuses_to_seal_is_removed(m, monkeypatch):
    key = m.create_imported_key(key_material=MATERIAL)
    other = m.create_imported_key(key_material=bytes(32))
    _cluster(StorageEncrypted=True, KmsKeyId=key.key_id)
    _snapshot()

    def refuse(*_args, **_kwargs):
        # KMS turns the key down between RDS's check and the data key it asks for.
        raise envelope.KmsRefusal("DisabledException", f"{other.arn} is disabled.")

    monkeypatch.setattr(envelope, "seal_data_key", refuse)
    code, message = aws_error(_copy, KmsKeyId=other.key_id)
    assert code == "KMSKeyNotAccessibleFault" and "DisabledException" in message
    assert _snapshots() == ["csnap"]


def test_a_copy_under_the_same_key_needs_that_key(m):
    key = m.create_imported_key(key_material=MATERIAL)
    _cluster(StorageEncrypted=True, KmsKeyId=key.key_id)
    _snapshot()
    copied = _copy()
    assert copied["KmsKeyId"] == key.arn
    assert len(_rds_events(m, "Decrypt")) == 1
    assert len(_rds_events(m, "GenerateDataKey")) == 1  # no new data key: the same key
    m.client().delete_imported_key_material(KeyId=key.key_id)
    code, _ = aws_error(_restore)
    assert code == "KMSKeyNotAccessibleFault"
    assert _clusters() == ["c1"]
    m.import_key_material(key.key_id, MATERIAL)
    assert _restore()["KmsKeyId"] == key.arn


def test_an_unencrypted_snapshot_copies_without_kms(m):
    _cluster("plain")
    _snapshot("plain", "plain-snap")
    copied = _copy("plain-copy", "plain-snap")
    assert copied["StorageEncrypted"] is False
    assert _rds_events(m) == []


def test_cluster_snapshot_copy_is_plain_moto_again_after_stop():
    with mock_aws():
        rds = boto3.client("rds", region_name="us-east-1")
        with mock_kms_import() as m:
            # Ordinary keys: EXTERNAL keys made under the mock are removed on stop.
            kms = m.client()
            key, other = (kms.create_key()["KeyMetadata"] for _ in range(2))
            _cluster(StorageEncrypted=True, KmsKeyId=key["KeyId"])
            _snapshot()
            kms.disable_key(KeyId=other["KeyId"])
            code, _ = aws_error(_copy, rds=rds, KmsKeyId=other["KeyId"])
            assert code == "KMSKeyNotAccessibleFault"
            kms.disable_key(KeyId=key["KeyId"])
            code, _ = aws_error(_copy, rds=rds)
            assert code == "KMSKeyNotAccessibleFault"
            assert _snapshots(rds) == ["csnap"]
        # Plain moto again: both keys are still disabled, and the copies are made as moto makes
        # them (it only looks the target key up).
        same = _copy("same", rds=rds)
        assert same["KmsKeyId"] == key["Arn"]
        copied = _copy("other", rds=rds, KmsKeyId=other["KeyId"])
        assert copied["KmsKeyId"] == other["Arn"]
        assert _snapshots(rds) == ["csnap", "other", "same"]
        restored = rds.restore_db_cluster_from_snapshot(
            DBClusterIdentifier="from-copy", SnapshotIdentifier="other", Engine="aurora-postgresql"
        )["DBCluster"]
        assert restored["KmsKeyId"] == other["Arn"]
        rds.describe_db_clusters(DBClusterIdentifier="from-copy")  # moto's one "creating"
        status = rds.describe_db_clusters(DBClusterIdentifier="from-copy")["DBClusters"][0]
        assert status["Status"] == "available"
