"""RDS and Redshift patches: installed once for nested use, restored exactly on stop, and plain
``mock_aws`` serves what was made under the mock as moto does (it never looks at the key)."""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from moto import mock_aws
from moto.rds.models import DBCluster, DBInstance, RDSBackend
from moto.redshift.models import Cluster, RedshiftBackend
from moto.redshift.responses import RedshiftResponse

from kms_import_mock import mock_kms_import
from kms_import_mock.services import registry
from tests.helpers import aws_error

RDS_CLASSES: tuple[type, ...] = (RDSBackend, DBInstance, DBCluster)
REDSHIFT_CLASSES: tuple[type, ...] = (RedshiftBackend, Cluster, RedshiftResponse)


def _snapshot(classes: tuple[type, ...]) -> list[dict[str, object]]:
    return [dict(vars(cls)) for cls in classes]


def _instance(rds, name, **extra):
    return rds.create_db_instance(
        DBInstanceIdentifier=name,
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="admin",
        MasterUserPassword="password123",
        AllocatedStorage=20,
        **extra,
    )["DBInstance"]


def _status(rds, name):
    return rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0][
        "DBInstanceStatus"
    ]


def test_rds_is_registered_with_its_moto_package():
    assert "rds" in registry.INTEGRATED
    assert registry.MOTO_PACKAGE["rds"] == "moto.rds"


def test_rds_nested_mocks_install_once_and_restore_on_the_last_stop():
    before = _snapshot(RDS_CLASSES)
    with mock_kms_import():
        boto3.client("rds", region_name="us-east-1").describe_db_instances()
        inside = _snapshot(RDS_CLASSES)
        assert inside != before
        with mock_kms_import():
            assert _snapshot(RDS_CLASSES) == inside
        assert _snapshot(RDS_CLASSES) == inside
    assert _snapshot(RDS_CLASSES) == before


def test_rds_under_an_outer_mock_aws_is_plain_again_after_stop():
    with mock_aws():
        rds = boto3.client("rds", region_name="us-east-1")
        with mock_kms_import() as m:
            key = m.create_imported_key()
            _instance(rds, "sealed", StorageEncrypted=True, KmsKeyId=key.key_id)
            m.client().delete_imported_key_material(KeyId=key.key_id)
            m.advance(dt.timedelta(minutes=5))
            assert _status(rds, "sealed") == "inaccessible-encryption-credentials-recoverable"
            code, _ = aws_error(_instance, rds, "refused", StorageEncrypted=True,
                                KmsKeyId=key.key_id)  # fmt: skip
            assert code == "KMSKeyNotAccessibleFault"
        # Plain moto again: the instance made under the mock is just available ...
        assert _status(rds, "sealed") == "available"
        rds.reboot_db_instance(DBInstanceIdentifier="sealed")
        # ... and a new one under the same (still unusable) key is created as moto does.
        _instance(rds, "after", StorageEncrypted=True, KmsKeyId=key.key_id)
        assert _status(rds, "after") == "available"
        rds.stop_db_instance(DBInstanceIdentifier="after")
        rds.start_db_instance(DBInstanceIdentifier="after")


def test_plain_mock_aws_rds_never_calls_kms():
    with mock_kms_import():
        pass
    with mock_aws():
        kms = boto3.client("kms", region_name="us-east-1")
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.disable_key(KeyId=key_id)
        rds = boto3.client("rds", region_name="us-east-1")
        created = _instance(rds, "db", StorageEncrypted=True, KmsKeyId=key_id)
        assert created["KmsKeyId"] == key_id  # moto keeps the key id as given
        rds.create_db_snapshot(DBInstanceIdentifier="db", DBSnapshotIdentifier="s")
        rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="r", DBSnapshotIdentifier="s")
        assert _status(rds, "r") == "available"


def _rs_cluster(rs, name, **extra):
    return rs.create_cluster(
        ClusterIdentifier=name,
        NodeType="ra3.xlplus",
        MasterUsername="admin",
        MasterUserPassword="Password123",
        ClusterType="single-node",
        **extra,
    )["Cluster"]


def _rs_status(rs, name):
    return rs.describe_clusters(ClusterIdentifier=name)["Clusters"][0]["ClusterStatus"]


def test_redshift_is_registered_and_restored_exactly():
    assert registry.MOTO_PACKAGE["redshift"] == "moto.redshift"
    before = _snapshot(REDSHIFT_CLASSES)
    transformers = dict(RedshiftResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER)
    with mock_kms_import():
        boto3.client("redshift", region_name="us-east-1").describe_clusters()
        inside = _snapshot(REDSHIFT_CLASSES)
        assert inside != before
        assert hasattr(RedshiftResponse, "reboot_cluster")
        with mock_kms_import():
            assert _snapshot(REDSHIFT_CLASSES) == inside
    assert _snapshot(REDSHIFT_CLASSES) == before
    assert not hasattr(RedshiftResponse, "reboot_cluster")  # moto has none of its own
    assert transformers == RedshiftResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER


def test_redshift_under_an_outer_mock_aws_is_plain_again_after_stop():
    with mock_aws():
        rs = boto3.client("redshift", region_name="us-east-1")
        with mock_kms_import() as m:
            key = m.create_imported_key()
            _rs_cluster(rs, "sealed", Encrypted=True, KmsKeyId=key.key_id)
            m.client().delete_imported_key_material(KeyId=key.key_id)
            rs.reboot_cluster(ClusterIdentifier="sealed")
            assert _rs_status(rs, "sealed") == "incompatible-hsm"
        # Plain moto again: the cluster is just available, and it has no RebootCluster.
        assert _rs_status(rs, "sealed") == "available"
        with pytest.raises(NotImplementedError, match="reboot_cluster"):
            rs.reboot_cluster(ClusterIdentifier="sealed")
        created = _rs_cluster(rs, "after", Encrypted=True, KmsKeyId=key.key_id)
        assert created["KmsKeyId"] == key.key_id  # moto keeps the id as given
        rs.pause_cluster(ClusterIdentifier="after")
        rs.resume_cluster(ClusterIdentifier="after")
        assert _rs_status(rs, "after") == "available"
