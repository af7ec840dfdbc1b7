"""The state every import operation works on, and moto's model seen from the extension.

``ImportBackendBase`` is moto's ``KmsBackend`` plus the import state of each EXTERNAL key
(``self.imports``), the lazy expiry check, key creation without material, the KeyMetadata fields
moto lacks, and how related multi-Region keys find each other. The operations live in mixins of
their own (``import_operations``, ``rotation_operations``, ``key_state_rules``,
``crypto_operations``); ``backend.ImportKmsBackend`` assembles them.
"""

from __future__ import annotations

import datetime as _dt
import threading
from typing import Any

from moto.core.utils import unix_time
from moto.kms.models import Key, kms_backends
from moto.kms.utils import generate_key_id
from moto.utilities.utils import get_partition

from kms_import_mock.crypto import keyspecs

from . import clock, eventbridge, events
from .errors import (
    DisabledException,
    KMSInvalidStateException,
    NotFoundException,
    UnsupportedOperationException,
    ValidationException,
    disabled,
    key_not_found,
    origin_not_valid,
    pending_deletion,
    pending_import,
)
from .expiry import ExpiryHeap
from .lookups import KeyLookups
from .state import (
    PENDING_MRK,
    PENDING_ROTATION,
    KeyImport,
    KeyMaterial,
)

EXTERNAL = "EXTERNAL"
NEW = "NEW_KEY_MATERIAL"
EXISTING = "EXISTING_KEY_MATERIAL"
TOKEN_LIFETIME = _dt.timedelta(hours=24)
MAX_VALID_TO = _dt.timedelta(days=365)
_DELETING = ("PendingDeletion", "PendingReplicaDeletion")

_DEFAULT_USAGE = {"hmac": "GENERATE_VERIFY_MAC", "ecc": "SIGN_VERIFY"}


class ImportBackendBase(KeyLookups):
    """moto's ``KmsBackend`` with the import state of EXTERNAL keys."""

    def __init__(self, region_name: str, account_id: str | None = None) -> None:
        super().__init__(region_name, account_id)
        self.init_import_state()

    def init_import_state(self) -> None:
        """The extension's own state; also run on a plain ``KmsBackend`` whose class an
        activation swaps (one an outer ``mock_aws`` built before the activation started)."""
        self.imports: dict[str, KeyImport] = {}
        #: Materials by ValidTo, one entry each: the lazy expiry check costs nothing until the
        #: earliest ValidTo has passed.
        self._expiry = ExpiryHeap()
        #: Keys by DeletionDate (material id ""): the same lazy check ends their waiting period.
        self._deletions = ExpiryHeap()
        #: key id -> PendingWindowInDays of its ScheduleKeyDeletion (moto keeps only the date;
        #: a primary in PendingReplicaDeletion has no date yet).
        self.deletion_windows: dict[str, int] = {}
        #: Keys by NextRotationDate (material id ""), for automatic rotation; and each key's
        #: (RotationPeriodInDays, when its current period began, as epoch seconds).
        self._rotations = ExpiryHeap()
        self.rotation_schedules: dict[str, tuple[int, float]] = {}
        self.lock = threading.RLock()

    # -- lookups, key state and lazy expiry ------------------------------------------------

    def _arn(self, key_id: str) -> str:
        partition = get_partition(self.region_name)
        return f"arn:{partition}:kms:{self.region_name}:{self.account_id}:key/{key_id}"

    def _key_by_id_or_arn(self, key_id: str) -> Key:
        """Key ID or key ARN only: the import operations refuse aliases."""
        if key_id.startswith("alias/") or ":alias/" in key_id:
            raise NotFoundException(f"Invalid keyId {key_id}")
        self.refuse_foreign_arn(key_id)
        raw = self.get_key_id(key_id)
        key = self.keys.get(raw)
        if key is None:
            raise NotFoundException(f"Key '{self._arn(raw)}' does not exist")
        return key

    def _external(self, key_id: str) -> tuple[Key, KeyImport]:
        key = self._key_by_id_or_arn(key_id)
        state = self.imports.get(key.id)
        if state is None:
            raise UnsupportedOperationException(origin_not_valid(key.arn, key.origin))
        return key, state

    def external_key(self, key_id: str) -> Key | None:
        """The EXTERNAL key ``key_id`` (any form, aliases too) names, or None: also for an
        alias that names no key, which moto's own validation then reports."""
        if not key_id:
            return None
        if key_id.startswith("alias/") or ":alias/" in key_id:
            target = self.get_key_id_from_alias(self.get_alias_name(key_id))
            if target is None:
                return None
            key_id = target
        raw = self.get_key_id(key_id)
        return self.keys.get(raw) if raw in self.imports else None

    def require_usable(self, key_id: str | None) -> None:
        """``check_usable`` for the key ``key_id`` names; an unknown key is left to moto's own
        validation, which reports it as it always did."""
        key = self.known_key(key_id)
        if key is not None:
            self.check_usable(key)

    def check_usable(self, key: Key) -> None:
        """AWS's key-state rules for cryptographic operations, on a key of any origin:
        moto itself lets a Disabled key, or one pending deletion, encrypt and decrypt."""
        self.sweep()
        if self.keys.get(key.id) is not key:
            # Held by a service since before its waiting period ended.
            raise NotFoundException(key_not_found(key.arn))
        state = key.key_state
        if state == "Enabled":
            return
        if state == "PendingImport":
            raise KMSInvalidStateException(pending_import(key.arn))
        if state == "Disabled":
            raise DisabledException(disabled(key.arn))
        if state in _DELETING:
            # The key-state table allows DisabledException here too; AWS was observed answering
            # KMSInvalidStateException (and S3 relays it as KMS.KMSInvalidStateException).
            raise KMSInvalidStateException(pending_deletion(key.arn))
        raise KMSInvalidStateException(f"{key.arn} is {state}.")

    def _refresh_state(self, key: Key, state: KeyImport) -> None:
        """Derive KeyState from the materials; an explicit Disabled or PendingDeletion stays."""
        if key.key_state in _DELETING:
            return
        if state.complete:
            if key.key_state == "PendingImport":
                key.key_state, key.enabled = "Enabled", True
        else:
            key.key_state, key.enabled = "PendingImport", False

    def _schedule_expiry(self, key_id: str, material: KeyMaterial) -> None:
        if material.valid_to is not None:
            self._expiry.schedule(key_id, material.material_id, material.valid_to.timestamp())
        else:
            self._expiry.cancel(key_id, material.material_id)

    def sweep(self) -> None:
        """Expire every material whose ValidTo has passed, rotate every key whose
        NextRotationDate has come and delete every key whose DeletionDate has passed, in that
        order; lazy, no timers."""
        # Lock-free fast path: nothing is due until the earliest ValidTo or DeletionDate.
        earliest = self._expiry.earliest()
        for heap in (self._rotations, self._deletions):
            due = heap.earliest()
            if due is not None and (earliest is None or due < earliest):
                earliest = due
        if earliest is None or earliest > clock.now().timestamp():
            return
        self._expire_materials()
        self.complete_rotations()
        self.complete_deletions()

    def complete_rotations(self) -> None:
        """Rotate the keys whose NextRotationDate has come (``automatic_rotation`` does)."""

    def complete_deletions(self) -> None:
        """Delete the keys whose waiting period has ended (``key_deletion`` does)."""

    def _expire_materials(self) -> None:
        expired: list[tuple[Key, str, float]] = []
        with self.lock:
            now = clock.now().timestamp()
            keys, imports = self.keys, self.imports
            deleting = self._deletions if len(self._deletions) else None
            for valid_to, _, key_id, material_id in self._expiry.pop_all_due(now):
                key, state = keys.get(key_id), imports.get(key_id)
                material = state.find(material_id) if state else None
                if key is None or state is None or material is None or not material.imported:
                    continue
                if deleting:
                    gone = deleting.when(key_id, "")
                    if gone is not None and gone <= valid_to:
                        continue  # the key was deleted first (this same sweep deletes it)
                self._remove_material(key, state, material, scheduled=False)
                self._refresh_state(key, state)
                expired.append((key, material_id, valid_to))
            if expired:
                self.on_materials_expired(expired)
        if expired:
            # Outside the lock: EventBridge's targets (an SQS queue under a KMS key, ...) may
            # call back into KMS from this thread or wait on another.
            eventbridge.materials_expired(self.account_id, self.region_name, expired)

    def on_materials_expired(self, expired: list[tuple[Key, str, float]]) -> None:
        """Called once per sweep that expired something: (key, material id, ValidTo as epoch
        seconds) for each material, earliest ValidTo first."""
        events.record_materials_expired(self, expired)

    def on_key_rotated(
        self, key: Key, previous_material_id: str | None, current_material_id: str | None
    ) -> None:
        """Called once per key (primary and each replica) when an on-demand rotation completes:
        the ``RotateKey`` service event."""
        events.record_key_rotated(self, key, previous_material_id, current_material_id)
        eventbridge.key_rotated(
            self.account_id,
            self.region_name,
            key,
            clock.now().timestamp(),
            previous_material_id,
            current_material_id,
        )

    def _remove_material(
        self, key: Key, state: KeyImport, material: KeyMaterial, scheduled: bool = True
    ) -> None:
        """``scheduled=False``: the material's expiry entry is already gone (the sweep)."""
        if scheduled:
            self._expiry.cancel(key.id, material.material_id)
        if material.permanent or self._is_replica(key):
            # A replica keeps even its pending copy associated: the primary still has that
            # material pending, and the replica must be able to import it again (EXISTING).
            material.forget()
        else:
            # Pending-rotation material is not permanently associated: deleting it frees the slot.
            state.materials.remove(material)
            self._drop_pending_from_replicas(key, material.material_id)

    # -- key creation and metadata --------------------------------------------------------

    def create_key(
        self,
        policy: str | None,
        key_usage: str,
        key_spec: str,
        description: str,
        tags: list[dict[str, str]] | None,
        multi_region: bool = False,
        origin: str = "AWS_KMS",
    ) -> Key:
        if origin != EXTERNAL:
            key = super().create_key(
                policy, key_usage, key_spec, description, tags, multi_region, origin
            )
            if key.policy == self._default_policy(key):
                key.policy = self._default_policy(key)  # one copy per Region, not per key
            return key
        key_spec = key_spec or keyspecs.SYMMETRIC
        # Before moto's enum check: moto's KeySpec enum lacks ML_DSA_* and ECC_NIST_EDWARDS25519.
        self._check_importable(key_spec)
        self._KmsBackend__ensure_valid_key_spec(key_spec)  # type: ignore[attr-defined]
        key_usage = key_usage or _DEFAULT_USAGE.get(keyspecs.family(key_spec), "ENCRYPT_DECRYPT")
        self._check_key_usage(key_spec, key_usage)
        key = self._new_key_without_material(policy, key_usage, key_spec, description, multi_region)
        with self.lock:
            self.keys[key.id] = key
            self.imports[key.id] = KeyImport(key.id, key_spec)
        if tags:
            # As moto's create_key does: ``tag_resource`` takes a dict since moto 5.2.5.
            self.tagger.tag_resource(key.id, tags)
        return key

    def _check_importable(self, key_spec: str) -> None:
        if key_spec in keyspecs.NOT_IMPORTABLE:
            raise UnsupportedOperationException(
                f"KeySpec {key_spec} is not supported for keys with Origin EXTERNAL."
            )
        if key_spec == "SM2":
            self._refuse_sm2("KeySpec SM2")

    def _new_key_without_material(
        self,
        policy: str | None,
        key_usage: str,
        key_spec: str,
        description: str | None,
        multi_region: bool,
        key_id: str | None = None,
    ) -> Key:
        """A moto ``Key`` with exactly the attributes ``Key.__init__`` sets, but no key material.

        ``Key.__init__`` always generates a private key (RSA-2048 even for symmetric keys, ~60 ms);
        an EXTERNAL key has no material until it is imported, so none is generated.
        """
        key = Key.__new__(Key)
        assert isinstance(key, Key)
        key.id = key_id or generate_key_id(multi_region)
        key.creation_date = unix_time()
        key.account_id = self.account_id
        key.region = self.region_name
        key.arn = self._arn(key.id)
        key.policy = policy or self._default_policy(key)
        key.key_usage = key_usage
        key.key_state = "PendingImport"
        key.description = description or ""
        key.enabled = False
        key.multi_region = bool(multi_region)  # moto passes None when the request omits it
        if multi_region:
            key.multi_region_configuration = {
                "MultiRegionKeyType": "PRIMARY",
                "PrimaryKey": {"Arn": key.arn, "Region": self.region_name},
                "ReplicaKeys": [],
            }
        key.key_rotation_status = False
        key.deletion_date = None
        key.key_material = b""
        key.origin = EXTERNAL
        key.key_manager = "CUSTOMER"
        key.key_spec = key_spec
        key.private_key = None  # type: ignore[assignment]  # set on import for asymmetric keys
        key.grants = {}
        key.rotations = []
        key.aliases = {}
        return key

    def _default_policy(self, key: Key) -> str:
        """moto's default key policy, one string per backend: it depends only on the account
        and Region, and a key used to carry its own ~250-byte copy."""
        text: str | None = self.__dict__.get("_default_policy_text")
        if text is None:
            text = self.__dict__["_default_policy_text"] = key.generate_default_policy()
        return text

    def import_metadata(self, key_id: str) -> dict[str, Any]:
        """The KeyMetadata fields moto does not know: ExpirationModel, ValidTo,
        CurrentKeyMaterialId (present only once there is something to say)."""
        state = self.imports.get(key_id)
        if state is None:
            return {}
        fields: dict[str, Any] = {}
        model, valid_to = state.expiration()
        if model is not None:
            fields["ExpirationModel"] = model
        if valid_to is not None:
            fields["ValidTo"] = valid_to.timestamp()
        if state.key_spec == keyspecs.SYMMETRIC and state.current_material_id:
            fields["CurrentKeyMaterialId"] = state.current_material_id
        return fields

    def describe_key(self, key_id: str) -> Key:
        self.sweep()
        return super().describe_key(key_id)

    # -- related multi-Region keys ----------------------------------------------------------
    #
    # Related multi-Region keys share the key id, so a material has the same id in every Region
    # and each Region's backend keeps its own KeyImport. Pending material is stored as
    # PENDING_ROTATION everywhere; what ListKeyRotations shows (PENDING_ROTATION or
    # PENDING_MULTI_REGION_IMPORT_AND_ROTATION) is derived on read by ``material_state``, so no
    # Region ever has to push state to another. Locks are always taken primary → replica.

    @staticmethod
    def _is_replica(key: Key) -> bool:
        return bool(key.multi_region) and (
            key.multi_region_configuration.get("MultiRegionKeyType") == "REPLICA"
        )

    def _replica_refusal(self, key: Key, action: str) -> str:
        primary = key.multi_region_configuration["PrimaryKey"]["Arn"]
        return f"{key.arn} is a multi-Region replica key; {action} on its primary key {primary}."

    def _replicas(self, key: Key) -> list[tuple[ImportBackendBase, Key, KeyImport]]:
        """The replicas of the primary key ``key`` (none for any other key), each with its
        Region's backend and import state."""
        if not key.multi_region or self._is_replica(key):
            return []
        found = []
        for replica in key.multi_region_configuration["ReplicaKeys"]:
            backend = kms_backends[self.account_id][replica["Region"]]
            if not isinstance(backend, ImportBackendBase):
                continue
            replica_key, state = backend.keys.get(key.id), backend.imports.get(key.id)
            if replica_key is not None and state is not None:
                found.append((backend, replica_key, state))
        return found

    def _sweep_primary(self, key: Key) -> None:
        """Let the primary of replica ``key`` expire its materials first: a primary's pending
        material that expired leaves every replica. Never called under this backend's lock
        (locks go primary → replica)."""
        if self._is_replica(key):
            region = key.multi_region_configuration["PrimaryKey"]["Region"]
            primary = kms_backends[self.account_id][region]
            if isinstance(primary, ImportBackendBase):
                primary.sweep()

    def material_state(self, key: Key, material: KeyMaterial) -> str:
        """The KeyMaterialState ListKeyRotations shows for ``material`` of ``key``.

        Pending material of a multi-Region primary is PENDING_MULTI_REGION_IMPORT_AND_ROTATION
        until every replica has imported it; a replica shows its copy so until it imported it
        itself (AWS documents only the primary's side; the replica's is the mock's choice).
        """
        if material.permanent or not key.multi_region:
            return material.state
        if self._is_replica(key):
            return PENDING_ROTATION if material.imported else PENDING_MRK
        for backend, _, state in self._replicas(key):
            backend.sweep()
            copy = state.find(material.material_id)
            if copy is None or not copy.imported:
                return PENDING_MRK
        return PENDING_ROTATION

    def _share_pending_with_replicas(self, key: Key, material_id: str) -> None:
        """New material on a primary: every replica must now import it (EXISTING)."""
        for backend, _, state in self._replicas(key):
            with backend.lock:
                if state.find(material_id) is None:
                    state.materials.append(KeyMaterial(material_id, PENDING_ROTATION))

    def _drop_pending_from_replicas(self, key: Key, material_id: str) -> None:
        """Deleting (or expiring) a primary's pending material deletes it from every replica."""
        for backend, _, state in self._replicas(key):
            with backend.lock:
                copy = state.find(material_id)
                if copy is not None and not copy.permanent:
                    state.materials.remove(copy)

    # -- key spec rules shared by creation and import ---------------------------------------

    def _check_key_usage(self, key_spec: str, key_usage: str) -> None:
        if key_usage not in keyspecs.KEY_USAGES.get(key_spec, ()):
            raise ValidationException(
                f"KeyUsage {key_usage} is not compatible with KeySpec {key_spec}."
            )

    def _refuse_sm2(self, what: str) -> None:
        if self.region_name not in keyspecs.CHINA_REGIONS:
            raise ValidationException(
                f"{what} is available only in the China Regions (cn-north-1, cn-northwest-1), "
                f"not in {self.region_name}."
            )
        # Deliberate difference from AWS (docs/behaviour.md): no maintained SM2 library to build on.
        raise UnsupportedOperationException(
            f"{what} is not supported by kms-import-mock: importing SM2 key material and SM2PKE "
            "wrapping are not implemented."
        )
