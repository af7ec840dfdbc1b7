"""Server mode: RDS and Redshift of ``kms-import-mock serve`` follow the KMS key too (raw boto3
over HTTP, the clock moved by the server's control API)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

from kms_import_mock import generate_key_material, wrap_key_material
from tests.helpers import aws_error
from tests.services.service_helpers import endpoint_client

RECOVERABLE = "inaccessible-encryption-credentials-recoverable"


def _imported_key(kms: Any) -> tuple[str, str, bytes]:
    meta = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    material = generate_key_material("SYMMETRIC_DEFAULT")
    _import(kms, meta["KeyId"], material)
    return meta["KeyId"], meta["Arn"], material


def _import(kms: Any, key_id: str, material: bytes) -> None:
    params = kms.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    kms.import_key_material(
        KeyId=key_id,
        ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=wrap_key_material(params["PublicKey"], material, "RSAES_OAEP_SHA_256"),
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
    )


def _advance(url: str, seconds: float) -> None:
    body = json.dumps({"seconds": seconds}).encode()
    request = urllib.request.Request(f"{url}/_kms_import/clock/advance", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


def _invoked_by(url: str, name: str) -> set[str]:
    with urllib.request.urlopen(f"{url}/_kms_import/events?name={name}", timeout=30) as reply:
        body = json.load(reply)
    events = body["events"] if isinstance(body, dict) else body
    return {e["userIdentity"].get("invokedBy") for e in events}


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
    key_id, arn, material = _imported_key(kms)
    created = _create_instance(rds, "served", StorageEncrypted=True, KmsKeyId=key_id)
    assert created["KmsKeyId"] == arn
    assert _invoked_by(kms_import_server, "GenerateDataKey") == {"rds.amazonaws.com"}

    kms.delete_imported_key_material(KeyId=key_id)
    code, message = aws_error(
        _create_instance, rds, "refused", StorageEncrypted=True, KmsKeyId=key_id
    )
    assert code == "KMSKeyNotAccessibleFault" and "is pending import." in message
    assert [d["DBInstanceIdentifier"] for d in rds.describe_db_instances()["DBInstances"]] == [
        "served"
    ]
    _advance(kms_import_server, 5 * 60)
    assert _status(rds, "served") == RECOVERABLE
    code, _ = aws_error(rds.start_db_instance, DBInstanceIdentifier="served")
    assert code == "KMSKeyNotAccessibleFault"

    _import(kms, key_id, material)
    rds.start_db_instance(DBInstanceIdentifier="served")
    assert _status(rds, "served") == "available"
    assert _invoked_by(kms_import_server, "Decrypt") == {"rds.amazonaws.com"}


def _rs_status(rs: Any, name: str) -> str:
    status: str = rs.describe_clusters(ClusterIdentifier=name)["Clusters"][0]["ClusterStatus"]
    return status


def test_redshift_over_http(kms_import_server: str) -> None:
    kms = endpoint_client("kms", kms_import_server)
    rs = endpoint_client("redshift", kms_import_server)
    key_id, arn, material = _imported_key(kms)
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
    _import(kms, key_id, material)
    rs.reboot_cluster(ClusterIdentifier="served")
    assert _rs_status(rs, "served") == "available"
    assert _invoked_by(kms_import_server, "Decrypt") == {"redshift.amazonaws.com"}


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
    key_id, arn, material = _imported_key(kms)
    created = _create_cluster(rds, "served", StorageEncrypted=True, KmsKeyId=key_id)
    assert created["KmsKeyId"] == arn and created["StorageEncrypted"] is True
    assert _invoked_by(kms_import_server, "GenerateDataKey") == {"rds.amazonaws.com"}
    assert _cluster_status(rds, "served") in ("creating", "available")  # moto's one "creating"
    assert _cluster_status(rds, "served") == "available"

    kms.delete_imported_key_material(KeyId=key_id)
    code, message = aws_error(
        _create_cluster, rds, "refused", StorageEncrypted=True, KmsKeyId=key_id
    )
    assert code == "KMSKeyNotAccessibleFault" and "is pending import." in message
    clusters = rds.describe_db_clusters()["DBClusters"]
    assert [c["DBClusterIdentifier"] for c in clusters] == ["served"]

    _advance(kms_import_server, 5 * 60 - 1)
    assert _cluster_status(rds, "served") == "available"  # not noticed yet
    _advance(kms_import_server, 1)
    assert _cluster_status(rds, "served") == RECOVERABLE
    code, _ = aws_error(rds.start_db_cluster, DBClusterIdentifier="served")
    assert code == "KMSKeyNotAccessibleFault"
    assert _cluster_status(rds, "served") == RECOVERABLE

    _import(kms, key_id, material)
    assert _cluster_status(rds, "served") == RECOVERABLE  # the key is back; RDS needs a Start
    rds.start_db_cluster(DBClusterIdentifier="served")
    assert _cluster_status(rds, "served") == "available"
    assert _invoked_by(kms_import_server, "Decrypt") == {"rds.amazonaws.com"}
