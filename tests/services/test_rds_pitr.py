"""Point-in-time restores of RDS instances and Aurora clusters need the source's key (its backups
are decrypted) and, for a cluster, the key the request names; nothing is created when KMS refuses,
and the restored resource then follows its own key."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import pathlib

import boto3
import botocore
import pytest
import time_machine
from botocore.exceptions import ParamValidationError

from kms_import_mock import mock_kms_import
from tests.helpers import aws_error
from tests.services.test_rds import (
    MATERIAL,
    RECOVERABLE,
    T0,
    TERMINAL,
    _cluster,
    _cluster_status,
    _instance,
    _names,
    _rds,
    _rds_events,
    _status,
)


@pytest.fixture
def m():
    with time_machine.travel(T0, tick=False), mock_kms_import() as handle:
        yield handle


def _model():
    data = pathlib.Path(botocore.__file__).parent / "data" / "rds"
    model_file = sorted(data.glob("*/service-2.json*"))[-1]
    raw = model_file.read_bytes()
    return json.loads(gzip.decompress(raw) if model_file.suffix == ".gz" else raw)


def _restore_instance(target="pitr", source="db1", **extra):
    return _rds().restore_db_instance_to_point_in_time(
        SourceDBInstanceIdentifier=source,
        TargetDBInstanceIdentifier=target,
        UseLatestRestorableTime=True,
        **extra,
    )["DBInstance"]


def _restore_cluster(target="c1-pitr", source="c1", **extra):
    return _rds().restore_db_cluster_to_point_in_time(
        SourceDBClusterIdentifier=source,
        DBClusterIdentifier=target,
        UseLatestRestorableTime=True,
        **extra,
    )["DBCluster"]


def _clusters():
    return [c["DBClusterIdentifier"] for c in _rds().describe_db_clusters()["DBClusters"]]


def _make_unusable(m, key_id, how):
    if how == "delete_material":
        m.client().delete_imported_key_material(KeyId=key_id)
        return "is pending import."
    m.client().disable_key(KeyId=key_id)
    return "DisabledException"


def test_the_model_lists_the_fault_and_only_the_cluster_restore_names_a_key():
    model = _model()
    operations, shapes = model["operations"], model["shapes"]
    for name in ("RestoreDBInstanceToPointInTime", "RestoreDBClusterToPointInTime"):
        errors = {e["shape"] for e in operations[name]["errors"]}
        assert "KMSKeyNotAccessibleFault" in errors, name
    members = {
        name: shapes[operations[name]["input"]["shape"]]["members"]
        for name in ("RestoreDBInstanceToPointInTime", "RestoreDBClusterToPointInTime")
    }
    assert "KmsKeyId" not in members["RestoreDBInstanceToPointInTime"]
    assert "KmsKeyId" in members["RestoreDBClusterToPointInTime"]


def test_an_instance_restore_cannot_name_a_key(m):
    # The restored instance always keeps the source's key: botocore refuses the parameter.
    key = m.create_imported_key(key_material=MATERIAL)
    _instance(StorageEncrypted=True, KmsKeyId=key.key_id)
    with pytest.raises(ParamValidationError, match="KmsKeyId"):
        _restore_instance(KmsKeyId=key.arn)
    assert _names() == ["db1"]


@pytest.mark.parametrize("how", ["delete_material", "disable"])
def test_instance_restore_under_an_unusable_source_key_creates_nothing(m, how):
    key = m.create_imported_key(key_material=MATERIAL)
    _instance(StorageEncrypted=True, KmsKeyId=key.key_id)
    reason = _make_unusable(m, key.key_id, how)
    code, message = aws_error(_restore_instance)
    assert code == "KMSKeyNotAccessibleFault"
    assert key.arn in message and reason in message
    assert _names() == ["db1"]
    assert _rds_events(m, "Decrypt") == []
    assert len(_rds_events(m, "GenerateDataKey")) == 1  # the source's, nothing since


@pytest.mark.parametrize("how", ["delete_material", "disable"])
def test_cluster_restore_under_an_unusable_source_key_creates_nothing(m, how):
    key = m.create_imported_key(key_material=MATERIAL)
    other = m.create_imported_key(key_material=bytes(32))
    _cluster(StorageEncrypted=True, KmsKeyId=key.key_id)
    reason = _make_unusable(m, key.key_id, how)
    code, message = aws_error(_restore_cluster)
    assert code == "KMSKeyNotAccessibleFault"
    assert key.arn in message and reason in message
    # A usable key for the new cluster does not help: the source's backups need the source's.
    code, message = aws_error(_restore_cluster, KmsKeyId=other.arn)
    assert code == "KMSKeyNotAccessibleFault" and key.arn in message
    assert _clusters() == ["c1"]
    assert _rds_events(m, "Decrypt") == []


@pytest.mark.parametrize("how", ["delete_material", "disable"])
def test_cluster_restore_to_an_unusable_key_creates_nothing(m, how):
    key = m.create_imported_key(key_material=MATERIAL)
    other = m.create_imported_key(key_material=bytes(32))
    _cluster(StorageEncrypted=True, KmsKeyId=key.key_id)
    reason = _make_unusable(m, other.key_id, how)
    code, message = aws_error(_restore_cluster, KmsKeyId=other.key_id)
    assert code == "KMSKeyNotAccessibleFault"
    assert message.startswith(f"Specified KMS key [{other.key_id}] does not exist")
    assert reason in message
    assert _clusters() == ["c1"]
    assert len(_rds_events(m, "GenerateDataKey")) == 1  # the source's, nothing since


def test_restored_instance_follows_the_key(m):
    key = m.create_imported_key(key_material=MATERIAL)
    _instance(StorageEncrypted=True, KmsKeyId=key.key_id)
    restored = _restore_instance()
    assert restored["DBInstanceStatus"] == "available"
    assert restored["StorageEncrypted"] is True
    assert restored["KmsKeyId"] == key.arn
    (decrypted,) = _rds_events(m, "Decrypt")  # the source's data key
    assert decrypted["resources"][0]["ARN"] == key.arn
    generated = _rds_events(m, "GenerateDataKey")
    assert generated[-1]["requestParameters"]["encryptionContext"] == {
        "aws:rds:db-id": restored["DbiResourceId"]
    }

    m.advance(60)
    m.client().delete_imported_key_material(KeyId=key.key_id)
    m.advance(dt.timedelta(minutes=5) - dt.timedelta(seconds=1))
    assert _status("pitr") == "available"
    m.advance(1)
    assert (_status("pitr"), _status()) == (RECOVERABLE, RECOVERABLE)
    m.import_key_material(key.key_id, MATERIAL)
    _rds().start_db_instance(DBInstanceIdentifier="pitr")
    assert (_status("pitr"), _status()) == ("available", RECOVERABLE)  # each on its own


def test_restored_cluster_follows_the_sources_key(m):
    key = m.create_imported_key(key_material=MATERIAL)
    _cluster(StorageEncrypted=True, KmsKeyId=key.key_id)
    restored = _restore_cluster()
    assert restored["KmsKeyId"] == key.arn and restored["StorageEncrypted"] is True
    assert _cluster_status("c1-pitr") in ("creating", "available")
    assert _cluster_status("c1-pitr") == "available"
    (decrypted,) = _rds_events(m, "Decrypt")
    assert decrypted["resources"][0]["ARN"] == key.arn

    m.client().delete_imported_key_material(KeyId=key.key_id)
    m.advance(dt.timedelta(minutes=5))
    assert _cluster_status("c1-pitr") == RECOVERABLE
    m.import_key_material(key.key_id, MATERIAL)
    _rds().start_db_cluster(DBClusterIdentifier="c1-pitr")
    assert _cluster_status("c1-pitr") == "available"


def test_cluster_restored_to_another_key_follows_that_key_only(m):
    key = m.create_imported_key(key_material=MATERIAL)
    other = m.create_imported_key(key_material=bytes(32))
    _cluster(StorageEncrypted=True, KmsKeyId=key.key_id)
    restored = _restore_cluster(KmsKeyId=other.key_id)
    assert restored["KmsKeyId"] == other.arn
    assert _cluster_status("c1-pitr") in ("creating", "available")
    generated = _rds_events(m, "GenerateDataKey")
    assert generated[-1]["resources"][0]["ARN"] == other.arn
    assert generated[-1]["requestParameters"]["encryptionContext"] == {
        "aws:rds:db-id": restored["DbClusterResourceId"]
    }

    m.client().delete_imported_key_material(KeyId=key.key_id)
    m.advance(dt.timedelta(minutes=5))
    assert (_cluster_status(), _cluster_status("c1-pitr")) == (RECOVERABLE, "available")
    m.client().disable_key(KeyId=other.key_id)
    assert _cluster_status("c1-pitr") == "available"  # the first look dates it
    m.advance(dt.timedelta(minutes=5))
    assert _cluster_status("c1-pitr") == RECOVERABLE


def test_unencrypted_sources_restore_without_kms(m):
    _instance("plain")
    _cluster("plain-c")
    assert _restore_instance("plain-pitr", "plain")["StorageEncrypted"] is False
    assert _restore_cluster("plain-c-pitr", "plain-c")["StorageEncrypted"] is False
    assert _rds_events(m) == []
    assert boto3.client("cloudtrail", region_name="us-east-1").lookup_events()["Events"] == []


def test_a_terminal_source_is_recovered_by_a_point_in_time_restore(m):
    # AWS's knowledge center: a restore from a backup or a PITR, with the key usable again.
    key = m.create_imported_key(key_material=MATERIAL)
    _instance(StorageEncrypted=True, KmsKeyId=key.key_id)
    _cluster(StorageEncrypted=True, KmsKeyId=key.key_id)
    m.client().delete_imported_key_material(KeyId=key.key_id)
    m.advance(dt.timedelta(days=7, minutes=5))
    assert (_status(), _cluster_status()) == (TERMINAL, TERMINAL)
    code, _ = aws_error(_restore_instance)
    assert code == "KMSKeyNotAccessibleFault"
    m.import_key_material(key.key_id, MATERIAL)
    assert _restore_instance()["KmsKeyId"] == key.arn
    assert _restore_cluster()["KmsKeyId"] == key.arn
    assert _status("pitr") == "available"
    assert _cluster_status("c1-pitr") in ("creating", "available")
    assert _cluster_status("c1-pitr") == "available"
    assert (_status(), _cluster_status()) == (TERMINAL, TERMINAL)
