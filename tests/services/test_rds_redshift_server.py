"""Server mode: RDS and Redshift of ``kms-import-mock serve`` follow the KMS key too (raw boto3
over HTTP, the clock moved by the server's control API)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.helpers import aws_error
from tests.services.service_helpers import (
    advance_clock,
    endpoint_client,
    import_material,
    imported_key,
    invokers,
)

RECOVERABLE = "inaccessible-encryption-credentials-recoverable"


def _create_instance(rds: Any, name: str, **extra: Any) -> dict[str, Any]:
    created: dict[str, Any] = rds.create_db_instance(
        DBInstanceIdentifier=name,
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="admin",
        MasterUserPassword="password123",
        AllocatedStorage=20,
        **extra,
    )["DBInstance"]
    return created


def _status(rds: Any, name: str) -> str:
    status: str = rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0][
        "DBInstanceStatus"
    ]
    return status


def test_rds_over_http(kms_import_server: str) -> None:
    kms, rds = endpoint_client("kms", kms_import_server), endpoint_client("rds", kms_import_server)
    key_id, arn, material = imported_key(kms)
    created = _create_instance(rds, "served", StorageEncrypted=True, KmsKeyId=key_id)
    assert created["KmsKeyId"] == arn
    assert invokers(kms_import_server, "GenerateDataKey") == {"rds.amazonaws.com"}

    kms.delete_imported_key_material(KeyId=key_id)
    code, message = aws_error(
        _create_instance, rds, "refused", StorageEncrypted=True, KmsKeyId=key_id
    )
    assert code == "KMSKeyNotAccessibleFault" and "is pending import." in message
    assert [d["DBInstanceIdentifier"] for d in rds.describe_db_instances()["DBInstances"]] == [
        "served"
    ]
    advance_clock(kms_import_server, 5 * 60)
    assert _status(rds, "served") == RECOVERABLE
    code, _ = aws_error(rds.start_db_instance, DBInstanceIdentifier="served")
    assert code == "KMSKeyNotAccessibleFault"

    import_material(kms, key_id, material)
    rds.start_db_instance(DBInstanceIdentifier="served")
    assert _status(rds, "served") == "available"
    assert invokers(kms_import_server, "Decrypt") == {"rds.amazonaws.com"}


def _rs_status(rs: Any, name: str) -> str:
    status: str = rs.describe_clusters(ClusterIdentifier=name)["Clusters"][0]["ClusterStatus"]
    return status


def test_redshift_over_http(kms_import_server: str) -> None:
    kms = endpoint_client("kms", kms_import_server)
    rs = endpoint_client("redshift", kms_import_server)
    key_id, arn, material = imported_key(kms)
    params = {
        "NodeType": "ra3.xlplus",
        "MasterUsername": "admin",
        "MasterUserPassword": "Password123",
        "ClusterType": "single-node",
        "Encrypted": True,
        "KmsKeyId": key_id,
    }
    assert rs.create_cluster(ClusterIdentifier="served", **params)["Cluster"]["KmsKeyId"] == arn
    kms.delete_imported_key_material(KeyId=key_id)
    assert _rs_status(rs, "served") == "available"
    with pytest.raises(ClientError) as info:
        rs.create_cluster(ClusterIdentifier="refused", **params)
    response = info.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert response["Error"]["Code"] == "DependentServiceAccessDenied"
    assert "is pending import." in response["Error"]["Message"]
    assert [c["ClusterIdentifier"] for c in rs.describe_clusters()["Clusters"]] == ["served"]

    assert rs.reboot_cluster(ClusterIdentifier="served")["Cluster"]["ClusterStatus"] == "rebooting"
    assert _rs_status(rs, "served") == "incompatible-hsm"
    import_material(kms, key_id, material)
    rs.reboot_cluster(ClusterIdentifier="served")
    assert _rs_status(rs, "served") == "available"
    assert invokers(kms_import_server, "Decrypt") == {"redshift.amazonaws.com"}


def _create_cluster(rds: Any, name: str, **extra: Any) -> dict[str, Any]:
    created: dict[str, Any] = rds.create_db_cluster(
        DBClusterIdentifier=name,
        Engine="aurora-postgresql",
        MasterUsername="admin",
        MasterUserPassword="password123",
        **extra,
    )["DBCluster"]
    return created


def _cluster_status(rds: Any, name: str) -> str:
    status: str = rds.describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0]["Status"]
    return status


def test_aurora_over_http(kms_import_server: str) -> None:
    kms, rds = endpoint_client("kms", kms_import_server), endpoint_client("rds", kms_import_server)
    key_id, arn, material = imported_key(kms)
    created = _create_cluster(rds, "served", StorageEncrypted=True, KmsKeyId=key_id)
    assert created["KmsKeyId"] == arn and created["StorageEncrypted"] is True
    assert invokers(kms_import_server, "GenerateDataKey") == {"rds.amazonaws.com"}
    assert _cluster_status(rds, "served") in ("creating", "available")  # moto's one "creating"
    assert _cluster_status(rds, "served") == "available"

    kms.delete_imported_key_material(KeyId=key_id)
    code, message = aws_error(
        _create_cluster, rds, "refused", StorageEncrypted=True, KmsKeyId=key_id
    )
    assert code == "KMSKeyNotAccessibleFault" and "is pending import." in message
    clusters = rds.describe_db_clusters()["DBClusters"]
    assert [c["DBClusterIdentifier"] for c in clusters] == ["served"]

    advance_clock(kms_import_server, 5 * 60 - 1)
    assert _cluster_status(rds, "served") == "available"  # not noticed yet
    advance_clock(kms_import_server, 1)
    assert _cluster_status(rds, "served") == RECOVERABLE
    code, _ = aws_error(rds.start_db_cluster, DBClusterIdentifier="served")
    assert code == "KMSKeyNotAccessibleFault"
    assert _cluster_status(rds, "served") == RECOVERABLE

    import_material(kms, key_id, material)
    assert _cluster_status(rds, "served") == RECOVERABLE  # the key is back; RDS needs a Start
    rds.start_db_cluster(DBClusterIdentifier="served")
    assert _cluster_status(rds, "served") == "available"
    assert invokers(kms_import_server, "Decrypt") == {"rds.amazonaws.com"}
