"""RDS and Aurora under a KMS key: creation, start, reboot, restore and copy need the key; a
running instance or cluster becomes inaccessible-recoverable within minutes, terminal after
seven days (mock clock), and comes back with Start while it is recoverable."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import pathlib

import boto3
import botocore
import pytest
import time_machine
from moto.rds.models import rds_backends

from kms_import_mock import mock_kms_import
from kms_import_mock.services import rds as rds_service
from tests.helpers import aws_error

UTC = dt.timezone.utc
T0 = dt.datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
MATERIAL = bytes(range(64, 96))
RECOVERABLE = "inaccessible-encryption-credentials-recoverable"
TERMINAL = "inaccessible-encryption-credentials"


@pytest.fixture
def m():
    with time_machine.travel(T0, tick=False), mock_kms_import() as handle:
        yield handle


def _rds():
    return boto3.client("rds", region_name="us-east-1")


def _instance(name="db1", **extra):
    params = {
        "DBInstanceIdentifier": name,
        "DBInstanceClass": "db.t3.micro",
        "Engine": "postgres",
        "MasterUsername": "admin",
        "MasterUserPassword": "password123",
        "AllocatedStorage": 20,
        **extra,
    }
    return _rds().create_db_instance(**params)["DBInstance"]


def _cluster(name="c1", **extra):
    params = {
        "DBClusterIdentifier": name,
        "Engine": "aurora-postgresql",
        "MasterUsername": "admin",
        "MasterUserPassword": "password123",
        **extra,
    }
    return _rds().create_db_cluster(**params)["DBCluster"]


def _status(name="db1"):
    return _rds().describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0][
        "DBInstanceStatus"
    ]


def _cluster_status(name="c1"):
    return _rds().describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0]["Status"]


def _rds_events(m, name=None):
    """The KMS calls rds made that succeeded (refused ones are recorded with errorCode)."""
    return [
        e
        for e in m.events(name)
        if e["userIdentity"].get("invokedBy") == "rds.amazonaws.com" and "errorCode" not in e
    ]


def _names():
    return [d["DBInstanceIdentifier"] for d in _rds().describe_db_instances()["DBInstances"]]


def test_model_names_the_codes_and_the_operations_list_them():
    data = pathlib.Path(botocore.__file__).parent / "data" / "rds"
    model_file = sorted(data.glob("*/service-2.json*"))[-1]
    raw = model_file.read_bytes()
    model = json.loads(gzip.decompress(raw) if model_file.suffix == ".gz" else raw)
    shapes, operations = model["shapes"], model["operations"]
    assert shapes["KMSKeyNotAccessibleFault"]["error"]["code"] == "KMSKeyNotAccessibleFault"
    assert shapes["InvalidDBInstanceStateFault"]["error"]["code"] == "InvalidDBInstanceState"
    for name in (
        "CreateDBInstance",
        "CreateDBCluster",
        "StartDBInstance",
        "StartDBCluster",
        "RebootDBInstance",
        "RestoreDBInstanceFromDBSnapshot",
        "RestoreDBClusterFromSnapshot",
        "CopyDBSnapshot",
    ):
        errors = {e["shape"] for e in operations[name]["errors"]}
        assert "KMSKeyNotAccessibleFault" in errors, name


def test_create_db_instance_makes_a_data_key_under_the_key(m):
    key = m.create_imported_key(key_material=MATERIAL)
    created = _instance(StorageEncrypted=True, KmsKeyId=key.key_id)
    assert created["KmsKeyId"] == key.arn
    assert created["StorageEncrypted"] is True
    (generated,) = _rds_events(m, "GenerateDataKey")
    assert generated["resources"][0]["ARN"] == key.arn
    assert generated["requestParameters"]["encryptionContext"] == {
        "aws:rds:db-id": created["DbiResourceId"]
    }


def test_storage_encrypted_without_a_key_uses_alias_aws_rds(m):
    created = _instance(StorageEncrypted=True)
    managed = m.client().describe_key(KeyId="alias/aws/rds")["KeyMetadata"]["Arn"]
    assert created["KmsKeyId"] == managed


@pytest.mark.parametrize("how", ["delete_material", "disable", "schedule_deletion"])
def test_create_under_an_unusable_key_is_refused_and_creates_nothing(m, how):
    key = m.create_imported_key(key_material=MATERIAL)
    kms = m.client()
    if how == "delete_material":
        kms.delete_imported_key_material(KeyId=key.key_id)
        reason = "KMSInvalidStateException"
    elif how == "disable":
        kms.disable_key(KeyId=key.key_id)
        reason = "DisabledException"
    else:
        kms.schedule_key_deletion(KeyId=key.key_id, PendingWindowInDays=7)
        reason = "KMSInvalidStateException"
    code, message = aws_error(_instance, StorageEncrypted=True, KmsKeyId=key.key_id)
    assert code == "KMSKeyNotAccessibleFault"
    assert message.startswith(f"Specified KMS key [{key.key_id}] does not exist")
    assert reason in message
    assert _names() == []
    code, _ = aws_error(_cluster, StorageEncrypted=True, KmsKeyId=key.arn)
    assert code == "KMSKeyNotAccessibleFault"
    assert _rds().describe_db_clusters()["DBClusters"] == []
    assert _rds_events(m) == []


def test_running_instance_becomes_recoverable_then_starts_again(m):
    key = m.create_imported_key(key_material=MATERIAL)
    _instance(StorageEncrypted=True, KmsKeyId=key.key_id)
    _instance("plain")
    m.advance(60)
    m.client().delete_imported_key_material(KeyId=key.key_id)
    m.advance(dt.timedelta(minutes=5) - dt.timedelta(seconds=1))
    assert _status() == "available"  # not noticed yet
    m.advance(1)
    assert _status() == RECOVERABLE
    assert _status("plain") == "available"  # unrelated instances are untouched

    code, message = aws_error(_rds().start_db_instance, DBInstanceIdentifier="db1")
    assert code == "KMSKeyNotAccessibleFault" and "is pending import." in message
    assert _status() == RECOVERABLE
    code, _ = aws_error(_rds().reboot_db_instance, DBInstanceIdentifier="db1")
    assert code == "InvalidDBInstanceState"

    m.advance(dt.timedelta(days=6))
    m.import_key_material(key.key_id, MATERIAL)
    assert _status() == RECOVERABLE  # the key is back, but RDS needs a Start
    started = _rds().start_db_instance(DBInstanceIdentifier="db1")["DBInstance"]
    assert started["DBInstanceStatus"] == "available"
    assert _status() == "available"
    m.advance(dt.timedelta(days=30))
    assert _status() == "available"
    decrypts = _rds_events(m, "Decrypt")
    assert [e["resources"][0]["ARN"] for e in decrypts] == [key.arn]


def test_a_disabled_key_is_noticed_five_minutes_after_the_first_look(m):
    kms = m.client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    _instance(StorageEncrypted=True, KmsKeyId=key_id)
    kms.disable_key(KeyId=key_id)
    assert _status() == "available"  # the first look dates it
    m.advance(dt.timedelta(minutes=5))
    assert _status() == RECOVERABLE
    kms.enable_key(KeyId=key_id)
    _rds().start_db_instance(DBInstanceIdentifier="db1")
    assert _status() == "available"


def test_key_back_before_it_is_noticed_changes_nothing(m):
    kms = m.client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    _instance(StorageEncrypted=True, KmsKeyId=key_id)
    kms.disable_key(KeyId=key_id)
    assert _status() == "available"
    m.advance(60)
    kms.enable_key(KeyId=key_id)
    m.advance(dt.timedelta(minutes=10))
    assert _status() == "available"


def test_seven_days_later_it_is_terminal_and_only_a_restore_recovers(m):
    key = m.create_imported_key(key_material=MATERIAL, valid_to=dt.timedelta(hours=1))
    _instance(StorageEncrypted=True, KmsKeyId=key.key_id)
    _rds().create_db_snapshot(DBInstanceIdentifier="db1", DBSnapshotIdentifier="snap")
    expired_at = T0 + dt.timedelta(hours=1)
    recoverable_at = expired_at + dt.timedelta(minutes=5)

    m.travel_to(recoverable_at + dt.timedelta(days=7) - dt.timedelta(seconds=1))
    assert _status() == RECOVERABLE
    m.advance(1)
    assert _status() == TERMINAL
    m.import_key_material(key.key_id, MATERIAL)  # the key comes back: too late
    assert _status() == TERMINAL
    code, message = aws_error(_rds().start_db_instance, DBInstanceIdentifier="db1")
    assert code == "InvalidDBInstanceState" and TERMINAL in message
    assert _status() == TERMINAL

    restored = _rds().restore_db_instance_from_db_snapshot(
        DBInstanceIdentifier="db1-restored", DBSnapshotIdentifier="snap"
    )["DBInstance"]
    assert restored["DBInstanceStatus"] == "available"
    assert restored["KmsKeyId"] == key.arn
    assert _status("db1-restored") == "available"


def test_a_stopped_instance_stays_stopped_and_cannot_start(m):
    kms = m.client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    _instance(StorageEncrypted=True, KmsKeyId=key_id)
    _rds().stop_db_instance(DBInstanceIdentifier="db1")
    kms.disable_key(KeyId=key_id)
    m.advance(dt.timedelta(days=10))
    assert _status() == "stopped"
    code, message = aws_error(_rds().start_db_instance, DBInstanceIdentifier="db1")
    assert code == "KMSKeyNotAccessibleFault" and "DisabledException" in message
    assert _status() == "stopped"
    kms.enable_key(KeyId=key_id)
    _rds().start_db_instance(DBInstanceIdentifier="db1")
    assert _status() == "available"


def test_reboot_decrypts_the_data_key(m):
    kms = m.client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    _instance(StorageEncrypted=True, KmsKeyId=key_id)
    _rds().reboot_db_instance(DBInstanceIdentifier="db1")
    assert len(_rds_events(m, "Decrypt")) == 1
    kms.disable_key(KeyId=key_id)
    code, message = aws_error(_rds().reboot_db_instance, DBInstanceIdentifier="db1")
    assert code == "KMSKeyNotAccessibleFault" and "DisabledException" in message


def test_restore_and_copy_under_an_unusable_key_create_nothing(m):
    key = m.create_imported_key(key_material=MATERIAL)
    other = m.create_imported_key(key_material=bytes(32))
    _instance(StorageEncrypted=True, KmsKeyId=key.key_id)
    _rds().create_db_snapshot(DBInstanceIdentifier="db1", DBSnapshotIdentifier="snap")
    kms = m.client()

    kms.delete_imported_key_material(KeyId=other.key_id)
    code, _ = aws_error(
        _rds().copy_db_snapshot,
        SourceDBSnapshotIdentifier="snap",
        TargetDBSnapshotIdentifier="copy",
        KmsKeyId=other.key_id,
    )
    assert code == "KMSKeyNotAccessibleFault"

    kms.delete_imported_key_material(KeyId=key.key_id)
    code, message = aws_error(
        _rds().restore_db_instance_from_db_snapshot,
        DBInstanceIdentifier="r1",
        DBSnapshotIdentifier="snap",
    )
    assert code == "KMSKeyNotAccessibleFault" and key.arn in message
    code, _ = aws_error(
        _rds().copy_db_snapshot,
        SourceDBSnapshotIdentifier="snap",
        TargetDBSnapshotIdentifier="copy",
    )
    assert code == "KMSKeyNotAccessibleFault"
    assert _names() == ["db1"]
    snapshots = _rds().describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]
    assert [s["DBSnapshotIdentifier"] for s in snapshots] == ["snap"]


def test_copy_to_another_key_keeps_a_data_key_under_it(m):
    key = m.create_imported_key(key_material=MATERIAL)
    other = m.create_imported_key(key_material=bytes(32))
    _instance(StorageEncrypted=True, KmsKeyId=key.key_id)
    _rds().create_db_snapshot(DBInstanceIdentifier="db1", DBSnapshotIdentifier="snap")
    copied = _rds().copy_db_snapshot(
        SourceDBSnapshotIdentifier="snap", TargetDBSnapshotIdentifier="copy", KmsKeyId=other.arn
    )["DBSnapshot"]
    assert copied["KmsKeyId"] == other.arn
    # The copy no longer needs the first key; restoring it needs the second.
    m.client().delete_imported_key_material(KeyId=key.key_id)
    restored = _rds().restore_db_instance_from_db_snapshot(
        DBInstanceIdentifier="from-copy", DBSnapshotIdentifier="copy"
    )["DBInstance"]
    assert restored["KmsKeyId"] == other.arn
    m.client().disable_key(KeyId=other.key_id)
    code, _ = aws_error(
        _rds().restore_db_instance_from_db_snapshot,
        DBInstanceIdentifier="again",
        DBSnapshotIdentifier="copy",
    )
    assert code == "KMSKeyNotAccessibleFault"


def test_aurora_cluster_follows_its_key(m):
    key = m.create_imported_key(key_material=MATERIAL)
    created = _cluster(StorageEncrypted=True, KmsKeyId=key.key_id)
    assert created["KmsKeyId"] == key.arn
    _cluster("plain")
    _rds().create_db_cluster_snapshot(
        DBClusterIdentifier="c1", DBClusterSnapshotIdentifier="csnap"
    )
    m.client().delete_imported_key_material(KeyId=key.key_id)
    m.advance(dt.timedelta(minutes=5))
    assert _cluster_status() == RECOVERABLE
    assert _cluster_status("plain") == "available"
    code, _ = aws_error(_rds().start_db_cluster, DBClusterIdentifier="c1")
    assert code == "KMSKeyNotAccessibleFault"
    code, _ = aws_error(
        _rds().restore_db_cluster_from_snapshot,
        DBClusterIdentifier="c2",
        SnapshotIdentifier="csnap",
        Engine="aurora-postgresql",
    )
    assert code == "KMSKeyNotAccessibleFault"
    clusters = _rds().describe_db_clusters()["DBClusters"]
    assert "c2" not in [c["DBClusterIdentifier"] for c in clusters]
    m.import_key_material(key.key_id, MATERIAL)
    _rds().start_db_cluster(DBClusterIdentifier="c1")
    assert _cluster_status() == "available"


def test_aurora_cluster_terminal_after_seven_days(m):
    key = m.create_imported_key(key_material=MATERIAL)
    _cluster(StorageEncrypted=True, KmsKeyId=key.key_id)
    _rds().create_db_cluster_snapshot(
        DBClusterIdentifier="c1", DBClusterSnapshotIdentifier="csnap"
    )
    m.client().delete_imported_key_material(KeyId=key.key_id)
    m.advance(dt.timedelta(days=7, minutes=5))
    assert _cluster_status() == TERMINAL
    m.import_key_material(key.key_id, MATERIAL)
    code, message = aws_error(_rds().start_db_cluster, DBClusterIdentifier="c1")
    assert code == "InvalidDBClusterStateFault" and TERMINAL in message
    restored = _rds().restore_db_cluster_from_snapshot(
        DBClusterIdentifier="c2", SnapshotIdentifier="csnap", Engine="aurora-postgresql"
    )["DBCluster"]
    assert restored["KmsKeyId"] == key.arn
    assert _cluster_status("c2") in ("creating", "available")
    assert _cluster_status("c2") == "available"


def test_unencrypted_instances_never_call_kms(m):
    _instance("plain")
    _rds().reboot_db_instance(DBInstanceIdentifier="plain")
    _rds().stop_db_instance(DBInstanceIdentifier="plain")
    _rds().start_db_instance(DBInstanceIdentifier="plain")
    assert _status("plain") == "available"
    assert _rds_events(m) == []
    database = rds_backends["123456789012"]["us-east-1"].databases["plain"]
    assert rds_service.STATE not in vars(database)


def test_cloudtrail_lookup_shows_rds_as_the_invoker(m):
    key = m.create_imported_key(key_material=MATERIAL)
    _instance(StorageEncrypted=True, KmsKeyId=key.key_id)
    _rds().reboot_db_instance(DBInstanceIdentifier="db1")
    trail = boto3.client("cloudtrail", region_name="us-east-1")
    for name in ("GenerateDataKey", "Decrypt"):
        (event,) = trail.lookup_events(
            LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": name}]
        )["Events"]
        record = json.loads(event["CloudTrailEvent"])
        assert record["userIdentity"]["invokedBy"] == "rds.amazonaws.com"
        assert record["sourceIPAddress"] == "rds.amazonaws.com"
        assert event["Resources"] == [{"ResourceType": "AWS::KMS::Key", "ResourceName": key.arn}]


def test_a_read_replica_follows_the_key_on_its_own(m):
    kms = m.client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    _instance(StorageEncrypted=True, KmsKeyId=key_id)
    _rds().create_db_instance_read_replica(
        DBInstanceIdentifier="replica", SourceDBInstanceIdentifier="db1"
    )
    kms.disable_key(KeyId=key_id)
    assert (_status(), _status("replica")) == ("available", "available")
    m.advance(dt.timedelta(minutes=5))
    assert (_status(), _status("replica")) == (RECOVERABLE, RECOVERABLE)
    kms.enable_key(KeyId=key_id)
    _rds().start_db_instance(DBInstanceIdentifier="db1")
    assert (_status(), _status("replica")) == ("available", RECOVERABLE)


def test_aurora_instances_show_their_clusters_state(m):
    kms = m.client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    _cluster(StorageEncrypted=True, KmsKeyId=key_id)
    _instance("member", DBClusterIdentifier="c1", Engine="aurora-postgresql")
    _rds().reboot_db_instance(DBInstanceIdentifier="member")
    assert len(_rds_events(m, "Decrypt")) == 1  # the cluster's data key
    kms.disable_key(KeyId=key_id)
    code, _ = aws_error(_rds().reboot_db_instance, DBInstanceIdentifier="member")
    assert code == "KMSKeyNotAccessibleFault"
    m.advance(dt.timedelta(minutes=5))
    assert _status("member") == RECOVERABLE
    code, _ = aws_error(_rds().reboot_db_instance, DBInstanceIdentifier="member")
    assert code == "InvalidDBInstanceState"
    kms.enable_key(KeyId=key_id)
    _rds().start_db_cluster(DBClusterIdentifier="c1")
    assert (_cluster_status(), _status("member")) == ("available", "available")
