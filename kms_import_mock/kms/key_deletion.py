"""The end of a waiting period: AWS KMS deletes the key.

moto records a DeletionDate and keeps the key in PendingDeletion for ever, so no test could see
what happens once a key is really gone. The lazy sweep (``ImportBackendBase.sweep``) calls
:meth:`KeyDeletion.complete_deletions` whenever a DeletionDate has passed on the mock clock; the
key then leaves its Region as it does on AWS: every request naming it is ``NotFoundException``,
its aliases, grants and tags go with it, ListKeys no longer shows it, and a service that still
holds a data key under it is refused. AWS KMS logs the deletion as a ``DeleteKey`` service event
in CloudTrail and sends ``KMS CMK Deletion`` to EventBridge, both dated at the DeletionDate
however late the clock move is noticed. A deleted multi-Region replica leaves its primary's
``ReplicaKeys``; a primary in PendingReplicaDeletion starts its own waiting period when its last
replica is deleted.
"""

from __future__ import annotations

import datetime as _dt

from moto.kms.models import Key, kms_backends

from . import clock, eventbridge, events
from .key_state_rules import KeyStateRules


class KeyDeletion(KeyStateRules):
    """Deletes keys whose waiting period has ended (see the module docstring)."""

    def complete_deletions(self) -> None:
        deleted: list[tuple[Key, float]] = []
        with self.lock:
            for when, _, key_id, _ in self._deletions.pop_all_due(clock.now().timestamp()):
                key = self.keys.get(key_id)
                if key is None or key.key_state != "PendingDeletion":
                    continue
                self._forget_key(key)
                deleted.append((key, when))
            for key, when in deleted:
                events.record_key_deleted(self, key, _at(when))
        if not deleted:
            return
        # Outside the lock, as for expired material: EventBridge's targets may call back into
        # KMS, and a replica's primary lives in another backend (locks go primary → replica).
        eventbridge.keys_deleted(self.account_id, self.region_name, deleted)
        for key, when in deleted:
            if self._is_replica(key):
                self._release_primary(key, _at(when))

    def _forget_key(self, key: Key) -> None:
        """The key and everything the mock keeps for it; moto's ``delete_key`` (with the alias
        index's) drops the key with its aliases, grants and tags."""
        state = self.imports.pop(key.id, None)
        if state is not None:
            for material in state.materials:
                self._expiry.cancel(key.id, material.material_id)
        self.deletion_windows.pop(key.id, None)
        self.rotation_schedules.pop(key.id, None)
        self._rotations.cancel(key.id, "")
        self.delete_key(key.id)

    def _release_primary(self, replica: Key, when: _dt.datetime) -> None:
        """The replica leaves the ``ReplicaKeys`` its primary and sibling replicas share; a
        primary waiting for its replicas starts its waiting period at the replica's deletion."""
        config = replica.multi_region_configuration
        replicas = config.get("ReplicaKeys", [])
        replicas[:] = [r for r in replicas if r.get("Region") != self.region_name]
        region = config["PrimaryKey"]["Region"]
        primary_backend = kms_backends[self.account_id][region]
        primary = primary_backend.keys.get(replica.id)
        if primary is not None and isinstance(primary_backend, KeyStateRules):
            primary_backend.settle_replica_deletion(primary, since=when)


def _at(epoch: float) -> _dt.datetime:
    return _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc)
