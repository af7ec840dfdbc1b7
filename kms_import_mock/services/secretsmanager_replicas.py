"""Secrets Manager replicas follow their own Region's KMS key, not the primary's.

Where a replica needs a key: ReplicateSecretToRegions and CreateSecret's ``AddReplicaRegions``
name a ``KmsKeyId`` per Region (``alias/aws/secretsmanager`` of that Region when none is given).
As AWS documents, replicating a version decrypts it under the primary's key and encrypts it again
under the replica's: Decrypt in the primary Region, then GenerateDataKey in the replica Region
with the context ``SecretARN`` = the replica's ARN and ``SecretVersionId``. Every later version
of the primary (PutSecretValue, UpdateSecret, a rotation) is replicated the same way. Where it
needs it back: GetSecretValue (and BatchGetSecretValue) in the replica Region decrypts the
replica's own data key, so a replica under a usable key is served even while the primary's key is
unusable, and a replica under an unusable key is refused with DecryptionFailure.

How a refused replication looks, as AWS documents it: the replica's ``ReplicationStatus`` is
``Failed`` with the KMS reason in ``StatusMessage``; a replica that holds no version yet is not
created in its Region (the call itself succeeds, replication being asynchronous on AWS).

Project decisions (AWS is silent): a version whose replication was refused is replicated again
when it is first read in the replica Region (as AWS's retry would catch it up once both keys are
usable), and refused with DecryptionFailure while either key is not; replicating again to a
Region whose replica failed replaces the failed entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kms_import_mock.services import envelope
from kms_import_mock.services.patching import Patches

PRINCIPAL = "secretsmanager.amazonaws.com"
DEFAULT_ALIAS = "alias/aws/secretsmanager"
#: The attribute of moto's ReplicaSecret: its own data keys, by version id.
SEALS = "kms_import_replica_seals"
#: The attribute of moto's ReplicaSecret: the ``KmsKeyId`` it was asked for (None: the default).
KEY = "kms_import_replica_key"


def install(patches: Patches, sealed_member: str) -> None:
    """Patch moto's replica creation; ``sealed_member`` names the primary versions' seal."""
    from moto.secretsmanager.models import FakeSecret, ReplicaSecret

    if hasattr(FakeSecret, "create_replicas"):
        original = patches.original(FakeSecret, "create_replicas")
        patches.set(FakeSecret, "create_replicas", _create_replicas(original, sealed_member))
        patches.set(ReplicaSecret, "to_dict", _to_dict(patches.original(ReplicaSecret, "to_dict")))


def _to_dict(original: Callable[..., Any]) -> Callable[..., Any]:
    """DescribeSecret of a replica names the replica's key, not the primary's (moto copies it)."""

    def to_dict(self: Any) -> Any:
        described = original(self)
        if isinstance(getattr(self, SEALS, None), dict):
            described["KmsKeyId"] = getattr(self, KEY, None) or DEFAULT_ALIAS
        return described

    return to_dict


def _create_replicas(original: Callable[..., Any], sealed_member: str) -> Callable[..., Any]:
    def create_replicas(self: Any, replica_regions: Any, *args: Any, **kwargs: Any) -> Any:
        configs = list(replica_regions or [])
        regions = {config.get("Region") for config in configs}
        # A new attempt replaces a failed one of the same Region (moto would list both).
        existing = getattr(self, "replicas", None)
        if isinstance(existing, list):
            existing[:] = [r for r in existing if r.has_replica or r.region not in regions]
        replicas = original(self, configs, *args, **kwargs)
        for replica, config in zip(replicas, configs, strict=False):
            key_id = config.get("KmsKeyId") or None
            setattr(replica, KEY, key_id)
            setattr(replica, SEALS, {})
            replica.config["KmsKeyId"] = key_id or DEFAULT_ALIAS
            for version_id, version in dict(self.versions).items():
                sealed = version.get(sealed_member)
                if isinstance(sealed, envelope.Sealed) and replica.has_replica:
                    replicate(replica, version_id, sealed)
        return replicas

    return create_replicas


def after_write(secret: Any, version_id: str, sealed: envelope.Sealed) -> None:
    """A new version of a primary: each replica takes it under its own key."""
    for replica in getattr(secret, "replicas", None) or ():
        if replica.has_replica and isinstance(getattr(replica, SEALS, None), dict):
            replicate(replica, version_id, sealed)


def replicate(replica: Any, version_id: str, sealed: envelope.Sealed) -> bool:
    """Decrypt under the primary's key, GenerateDataKey under the replica's; False if refused."""
    try:
        _reseal(replica, version_id, sealed)
    except envelope.KmsRefusal as refusal:
        _failed(replica, refusal)
        return False
    replica.status, replica.message = "InSync", "Replication succeeded"
    replica.config.update(Status=replica.status, StatusMessage=replica.message)
    return True


def replica_seal(replica: Any, version_id: str, sealed: envelope.Sealed | None) -> Any:
    """The replica's own seal of a version for a read in its Region (None: no KMS needed).

    A version not replicated yet is replicated now; a refusal raises ``KmsRefusal``.
    """
    seals = getattr(replica, SEALS, None)
    if not isinstance(seals, dict) or not isinstance(sealed, envelope.Sealed):
        return sealed
    own = seals.get(version_id)
    if own is None:
        own = _reseal(replica, version_id, sealed)
    return own


def _reseal(replica: Any, version_id: str, sealed: envelope.Sealed) -> envelope.Sealed:
    envelope.unseal(sealed, PRINCIPAL)
    own = envelope.seal_data_key(
        sealed.account_id,
        replica.region,
        getattr(replica, KEY, None),
        {"SecretARN": replica.arn, "SecretVersionId": version_id},
        PRINCIPAL,
        default_alias=DEFAULT_ALIAS,
    )
    getattr(replica, SEALS)[version_id] = own
    return own


def _failed(replica: Any, refusal: envelope.KmsRefusal) -> None:
    replica.status = "Failed"
    replica.message = f"Replication failed: {refusal.message} ({refusal.code})"
    replica.config.update(Status=replica.status, StatusMessage=replica.message)
    if not getattr(replica, SEALS):  # no usable version: AWS removes it from the Region
        from moto.secretsmanager.models import secretsmanager_backends

        backend = secretsmanager_backends[replica.source.account_id][replica.region]
        dict.pop(backend.secrets, replica.arn, None)
        replica.has_replica = False
