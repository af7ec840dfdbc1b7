"""On-demand rotation, the key-material listing, and replicas of multi-Region EXTERNAL keys."""

from __future__ import annotations

from typing import Any

from moto.core.exceptions import InvalidToken
from moto.kms.models import Key, kms_backends
from moto.utilities.utils import get_partition

from kms_import_mock.crypto import keyspecs

from . import aws_kms_rotation, clock, eventbridge
from . import rotation as _rotation
from .base import (
    _DELETING,
    ImportBackendBase,
)
from .errors import (
    AlreadyExistsException,
    DisabledException,
    InvalidMarkerException,
    KMSInvalidStateException,
    LimitExceededException,
    UnsupportedOperationException,
    ValidationException,
    disabled,
    pending_deletion,
    pending_import,
)
from .state import (
    PENDING_ROTATION,
    KeyImport,
    KeyMaterial,
)


class RotationOperations(ImportBackendBase):
    """RotateKeyOnDemand, ListKeyRotations' entries and ReplicateKey."""

    def rotate_key_on_demand(self, key_id: str) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_RotateKeyOnDemand.html

        For EXTERNAL keys the material pending rotation becomes current at once (AWS completes
        the rotation asynchronously, within about a minute). Other keys keep moto's behaviour.
        """
        key = self.external_key(key_id)
        if key is None:
            plain = self.known_key(key_id)
            if plain is None:
                return super().rotate_key_on_demand(key_id)
            self._refuse_rotation(plain)
            result = super().rotate_key_on_demand(key_id)
            # moto stamps the process time and echoes the KeyId as given (an alias, say).
            plain.rotations[-1].update(KeyId=plain.id, RotationDate=clock.now().timestamp())
            if plain.key_spec == keyspecs.SYMMETRIC:
                with self.lock:
                    everywhere = self._same_key_everywhere(plain)
                    material = bytes(plain.key_material or b"")
                    old_id = aws_kms_rotation.material_id(plain.id, material)
                    new_id = aws_kms_rotation.rotate(everywhere)
                plain.rotations[-1]["KeyMaterialId"] = new_id
                # Outside the lock, as for imported material: a rule's target may call KMS.
                for related in everywhere:
                    eventbridge.key_rotated(
                        related.account_id, related.region, related,
                        clock.now().timestamp(), old_id, new_id,
                    )  # fmt: skip
            return result
        self._refuse_rotation(key)
        if self._is_replica(key):
            raise UnsupportedOperationException(
                self._replica_refusal(key, "call RotateKeyOnDemand")
            )
        rotated: list[tuple[ImportBackendBase, Key, str | None, str]] = []
        with self.lock:
            state = self.imports[key.id]
            if state.on_demand_rotations >= _rotation.ROTATION_QUOTA:
                raise LimitExceededException(
                    "The on-demand rotations limit has been reached for the given keyId. "
                    f"No more on-demand rotations can be performed for this key: {key.arn}"
                )
            pending = state.pending
            if pending is None or self.material_state(key, pending) != PENDING_ROTATION:
                raise KMSInvalidStateException(
                    f"No available key material pending rotation for the key: {key.arn}."
                )
            when = clock.now()
            for backend, related, related_state in [(self, key, state), *self._replicas(key)]:
                with backend.lock:
                    previous = _rotation.rotate(related_state, pending.material_id, when)
                    backend._refresh_state(related, related_state)
                rotated.append((backend, related, previous, pending.material_id))
        for backend, related, previous, current in rotated:
            backend.on_key_rotated(related, previous or "", current)
        return key.arn

    def _same_key_everywhere(self, key: Key) -> list[Key]:
        """``key`` and, for a multi-Region key, its related keys in the account's other
        Regions (moto gives them the same material)."""
        related = [key]
        if key.multi_region:
            for region, backend in kms_backends[self.account_id].items():
                other = backend.keys.get(key.id) if region != self.region_name else None
                if other is not None:
                    related.append(other)
        return related

    def _refuse_rotation(self, key: Key) -> None:
        self.sweep()
        # Key state before key spec: AWS answers DisabledException even for an RSA key.
        if key.key_state == "Disabled":
            raise DisabledException(disabled(key.arn))
        if key.key_state in _DELETING:
            raise KMSInvalidStateException(pending_deletion(key.arn))
        if key.key_state == "PendingImport":
            raise KMSInvalidStateException(pending_import(key.arn))
        if key.key_spec != keyspecs.SYMMETRIC:
            raise UnsupportedOperationException()  # AWS's message is empty

    def key_material_entries(self, key: Key, include_all: bool) -> list[dict[str, Any]]:
        """ListKeyRotations entries of the EXTERNAL symmetric key ``key``, oldest first."""
        self._sweep_primary(key)
        self.sweep()
        state = self.imports[key.id]
        with self.lock:
            return _rotation.entries(
                key.id, state, include_all, lambda m: self.material_state(key, m)
            )

    def list_key_rotations(  # type: ignore[override]  # moto's is wrapped by its paginator
        self, key_id: str, limit: int | None = None, next_marker: str | None = None
    ) -> tuple[list[dict[str, str | float]], str | None]:
        """moto's listing (keys that are not EXTERNAL symmetric ones), with AWS's error for a
        marker it did not hand out: moto's paginator answers ``InvalidToken``, no KMS code."""
        try:
            return super().list_key_rotations(key_id=key_id, limit=limit, next_marker=next_marker)
        except InvalidToken:
            raise InvalidMarkerException(
                f"The marker {next_marker} is not one that ListKeyRotations returned; pass the "
                "NextMarker of the previous response."
            ) from None

    def replicate_key(
        self,
        key_id: str,
        replica_region: str,
        description: str = "",
        policy: str | None = None,
        tags: list[dict[str, str]] | None = None,
    ) -> Key:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_ReplicateKey.html

        An EXTERNAL primary is replicated without material: the replica, in its own Region's
        backend, starts in PendingImport with every material of the primary associated but not
        imported, and accepts only those materials. Other keys keep moto's behaviour.
        """
        key = self.external_key(key_id)
        if key is None:
            # moto's replicate_key raises KeyError for an alias, ARN or unknown Region and
            # AttributeError for a single-Region key (HTTP 500): refuse those as AWS does first.
            plain = self._key_by_id_or_arn(key_id)
            if not plain.multi_region or self._is_replica(plain):
                raise UnsupportedOperationException(
                    f"{plain.arn} is not a multi-region primary key."
                )
            self._replica_backend(plain, replica_region)
            self.check_usable(plain)  # Disabled [1], pending deletion [3], as for EXTERNAL keys
            copied = super().replicate_key(plain.id, replica_region)
            # Its own dict, as for EXTERNAL replicas below: moto's shallow copy shares the
            # primary's, so describing the replica turned the primary into a REPLICA.
            config = plain.multi_region_configuration
            copied.multi_region_configuration = {
                "MultiRegionKeyType": "REPLICA",
                "PrimaryKey": config["PrimaryKey"],
                "ReplicaKeys": config["ReplicaKeys"],
            }
            config["MultiRegionKeyType"] = "PRIMARY"
            copied.creation_date = clock.now().timestamp()  # a replica's own creation
            return copied
        self.sweep()
        if not key.multi_region or self._is_replica(key):
            raise UnsupportedOperationException(f"{key.arn} is not a multi-region primary key.")
        if key.key_state == "PendingImport":
            raise KMSInvalidStateException(pending_import(key.arn))
        if key.key_state == "Disabled":
            raise DisabledException(disabled(key.arn))
        if key.key_state in _DELETING:
            raise KMSInvalidStateException(pending_deletion(key.arn))
        target = self._replica_backend(key, replica_region)
        config = key.multi_region_configuration
        if replica_region == self.region_name or key.id in target.keys:
            raise AlreadyExistsException(
                f"A multi-Region key with id {key.id} already exists in {replica_region}."
            )
        with self.lock:
            state = self.imports[key.id]
            replica = target._new_key_without_material(
                policy, key.key_usage, key.key_spec, description, True, key_id=key.id
            )
            # Its own dict (moto's shallow copy shares the primary's, so describing the replica
            # turned the primary into a REPLICA); the ReplicaKeys list is shared on purpose.
            replica.multi_region_configuration = {
                "MultiRegionKeyType": "REPLICA",
                "PrimaryKey": config["PrimaryKey"],
                "ReplicaKeys": config["ReplicaKeys"],
            }
            replica_state = KeyImport(
                key.id,
                key.key_spec,
                materials=[
                    KeyMaterial(
                        m.material_id,
                        m.state,
                        rotation_date=m.rotation_date,
                        rotation_type=m.rotation_type,
                    )
                    for m in state.materials
                ],
                current_material_id=state.current_material_id,
                on_demand_rotations=state.on_demand_rotations,
            )
            with target.lock:
                target.keys[key.id] = replica
                target.imports[key.id] = replica_state
            config["ReplicaKeys"].append({"Arn": replica.arn, "Region": replica_region})
        if tags:
            target.tagger.tag_resource(key.id, tags)
        return replica

    def _replica_backend(self, key: Key, replica_region: str) -> ImportBackendBase:
        """The backend of ``replica_region``, which must be a KMS Region of ``key``'s partition."""
        try:
            target = kms_backends[self.account_id][replica_region]
        except KeyError:
            target = None
        if target is None or get_partition(replica_region) != get_partition(self.region_name):
            # AWS's wording is undocumented.
            raise ValidationException(
                f"{replica_region} is not a Region in the partition of {key.arn} where KMS is "
                "available; choose another ReplicaRegion."
            )
        assert isinstance(target, ImportBackendBase)
        return target
