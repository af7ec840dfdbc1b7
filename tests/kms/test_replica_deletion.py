"""ScheduleKeyDeletion of a multi-Region primary with replicas: PendingReplicaDeletion.

AWS keeps the primary in PendingReplicaDeletion (no DeletionDate, PendingDeletionWindowInDays
instead) until its last replica is deleted; then it becomes PendingDeletion and its waiting
period begins. moto went straight to PendingDeletion. Keys pending deletion are never removed
by the mock, so here a replica is "gone" once it left its Region's backend (as moto's
``delete_key`` removes it, which CloudFormation stack deletion calls).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from moto.kms.models import kms_backends

from tests.helpers import aws_error, import_material

REPLICA_REGION = "eu-west-1"


def _primary_with_replica(kms: Any, origin: str) -> dict[str, Any]:
    metadata: dict[str, Any] = kms.create_key(Origin=origin, MultiRegion=True)["KeyMetadata"]
    if origin == "EXTERNAL":
        import_material(kms, metadata["KeyId"], bytes(range(32)))
    kms.replicate_key(KeyId=metadata["KeyId"], ReplicaRegion=REPLICA_REGION)
    return metadata


@pytest.mark.parametrize("origin", ["AWS_KMS", "EXTERNAL"])
def test_a_primary_waits_for_its_replicas(kms_import: Any, origin: str) -> None:
    when = dt.datetime(2030, 3, 1, tzinfo=dt.timezone.utc)
    kms_import.travel_to(when)
    kms = kms_import.client()
    primary = _primary_with_replica(kms, origin)
    key_id, arn = primary["KeyId"], primary["Arn"]

    scheduled = kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert scheduled["KeyState"] == "PendingReplicaDeletion"
    assert scheduled["PendingWindowInDays"] == 7
    assert "DeletionDate" not in scheduled
    metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (metadata["KeyState"], metadata["Enabled"]) == ("PendingReplicaDeletion", False)
    assert metadata["PendingDeletionWindowInDays"] == 7
    assert "DeletionDate" not in metadata

    pending = ("KMSInvalidStateException", f"{arn} is pending deletion.")
    assert aws_error(kms.encrypt, KeyId=key_id, Plaintext=b"x") == pending
    assert aws_error(kms.schedule_key_deletion, KeyId=key_id, PendingWindowInDays=7) == pending
    assert aws_error(kms.enable_key, KeyId=key_id) == pending

    kms_import.advance(dt.timedelta(days=2))
    kms_backends["123456789012"][REPLICA_REGION].delete_key(key_id)
    metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert metadata["KeyState"] == "PendingDeletion"
    assert "PendingDeletionWindowInDays" not in metadata
    expected = when + dt.timedelta(days=9)  # the window starts once the replica is gone
    assert abs(metadata["DeletionDate"] - expected) < dt.timedelta(seconds=5)


def test_cancelling_a_replica_deletion_leaves_the_primary_disabled(kms_import: Any) -> None:
    kms = kms_import.client()
    key_id = _primary_with_replica(kms, "AWS_KMS")["KeyId"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    kms.cancel_key_deletion(KeyId=key_id)
    metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert metadata["KeyState"] == "Disabled"
    assert "PendingDeletionWindowInDays" not in metadata
    replica = kms_import.client(region_name=REPLICA_REGION).describe_key(KeyId=key_id)
    assert replica["KeyMetadata"]["KeyState"] == "Enabled"


def test_a_replica_or_a_primary_without_replicas_goes_straight_to_pending_deletion(
    kms_import: Any,
) -> None:
    kms = kms_import.client()
    key_id = _primary_with_replica(kms, "AWS_KMS")["KeyId"]
    there = kms_import.client(region_name=REPLICA_REGION)
    assert there.schedule_key_deletion(KeyId=key_id)["KeyState"] == "PendingDeletion"
    alone = kms.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    assert kms.schedule_key_deletion(KeyId=alone)["KeyState"] == "PendingDeletion"


def test_describing_the_replica_leaves_the_primary_a_primary(kms_import: Any) -> None:
    """moto's ReplicateKey shared one MultiRegionConfiguration between primary and replica,
    so describing the replica turned the primary into a REPLICA."""
    kms = kms_import.client()
    key_id = _primary_with_replica(kms, "AWS_KMS")["KeyId"]
    there = kms_import.client(region_name=REPLICA_REGION)
    replica = there.describe_key(KeyId=key_id)["KeyMetadata"]["MultiRegionConfiguration"]
    assert replica["MultiRegionKeyType"] == "REPLICA"
    config = kms.describe_key(KeyId=key_id)["KeyMetadata"]["MultiRegionConfiguration"]
    assert config["MultiRegionKeyType"] == "PRIMARY"
    assert [r["Region"] for r in config["ReplicaKeys"]] == [REPLICA_REGION]
