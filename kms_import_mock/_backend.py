"""moto's KMS backend, extended with the import lifecycle of EXTERNAL keys.

This is the only module that knows moto's model: it subclasses ``KmsBackend`` (installed by
``_activation`` while a mock is active) and keeps each EXTERNAL key's import state in
``self.imports``. Keys of other origins go straight to moto. Each import operation reads
top-down: resolve the key → validate the request → check token, unwrap, validate material →
change state under the backend lock, so a refused request changes nothing.
"""

from __future__ import annotations

import datetime as _dt
import heapq
import itertools
import threading
from types import ModuleType
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from moto.core.utils import unix_time
from moto.kms.exceptions import AccessDeniedException
from moto.kms.models import Key, KmsBackend, kms_backends
from moto.kms.utils import generate_key_id
from moto.utilities.utils import get_partition

from . import (
    _asymmetric,
    _ciphertext,
    _clock,
    _events,
    _keyspecs,
    _material,
    _rotation,
    _tokens,
    _wrapping,
)
from ._errors import (
    AlreadyExistsException,
    DisabledException,
    ExpiredImportTokenException,
    IncorrectKeyMaterialException,
    InvalidCiphertextException,
    InvalidImportTokenException,
    InvalidKeyUsageException,
    KMSInvalidMacException,
    KMSInvalidSignatureException,
    KMSInvalidStateException,
    LimitExceededException,
    NotFoundException,
    UnsupportedOperationException,
    ValidationException,
    disabled,
    key_usage_not_valid,
    not_pending_deletion,
    origin_not_valid,
    pending_deletion,
    pending_import,
)
from ._state import (
    CURRENT,
    DOES_NOT_EXPIRE,
    EXPIRES,
    PENDING_MRK,
    PENDING_ROTATION,
    KeyImport,
    KeyMaterial,
)
from ._wrapping_keys import POOL

EXTERNAL = "EXTERNAL"
NEW = "NEW_KEY_MATERIAL"
EXISTING = "EXISTING_KEY_MATERIAL"
TOKEN_LIFETIME = _dt.timedelta(hours=24)
MAX_VALID_TO = _dt.timedelta(days=365)
_DELETING = ("PendingDeletion", "PendingReplicaDeletion")

_DEFAULT_USAGE = {"hmac": "GENERATE_VERIFY_MAC", "ecc": "SIGN_VERIFY"}


def _urls_module() -> ModuleType:
    from . import _urls

    return _urls


class ImportKmsBackend(KmsBackend):
    """``KmsBackend`` plus GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial."""

    def __init__(self, region_name: str, account_id: str | None = None) -> None:
        super().__init__(region_name, account_id)
        self.imports: dict[str, KeyImport] = {}
        #: (ValidTo epoch, tie-breaker, key id, material id, generation): a min-heap, so the
        #: lazy expiry check costs nothing until the earliest ValidTo has passed.
        self._expiry: list[tuple[float, int, str, str, int]] = []
        self._seq = itertools.count()
        self.lock = threading.RLock()

    @property
    def _url_module(self) -> ModuleType:
        # moto derives this from the module name, which only works for a ``models.py``.
        return _urls_module()

    # -- helpers -----------------------------------------------------------------------------

    def _arn(self, key_id: str) -> str:
        partition = get_partition(self.region_name)
        return f"arn:{partition}:kms:{self.region_name}:{self.account_id}:key/{key_id}"

    def _key_by_id_or_arn(self, key_id: str) -> Key:
        """Key ID or key ARN only: the import operations refuse aliases (spec §13)."""
        if key_id.startswith("alias/") or ":alias/" in key_id:
            raise NotFoundException(f"Invalid keyId {key_id}")
        if key_id.startswith("arn:") and not key_id.startswith(self._arn("")):
            # moto strips any ARN to its key ID; an ARN of another Region or account names no
            # key of this backend (the import operations never work cross-account, spec §4).
            raise NotFoundException(f"Key '{key_id}' does not exist")
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
        """The EXTERNAL key ``key_id`` (any form, aliases too) names, or None."""
        raw = self.any_id_to_key_id(key_id) if key_id else ""
        return self.keys.get(raw) if raw in self.imports else None

    def check_usable(self, key: Key) -> None:
        """Key-state rules for cryptographic operations on an EXTERNAL key (spec §7)."""
        self.sweep()
        state = key.key_state
        if state == "Enabled":
            return
        if state == "PendingImport":
            raise KMSInvalidStateException(pending_import(key.arn))
        if state == "Disabled":
            raise DisabledException(disabled(key.arn))
        if state in _DELETING:
            raise DisabledException(pending_deletion(key.arn))
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
            entry = (
                material.valid_to.timestamp(),
                next(self._seq),
                key_id,
                material.material_id,
                material.generation,
            )
            heapq.heappush(self._expiry, entry)

    def sweep(self) -> None:
        """Expire every material whose ValidTo has passed (spec §6.1); lazy, no timers."""
        heap = self._expiry
        try:
            # Lock-free fast path; a parallel sweep may empty the heap between two reads.
            if heap[0][0] > _clock.now().timestamp():
                return
        except IndexError:
            return
        with self.lock:
            now = _clock.now().timestamp()
            while heap and heap[0][0] <= now:
                valid_to, _, key_id, material_id, generation = heapq.heappop(heap)
                key, state = self.keys.get(key_id), self.imports.get(key_id)
                material = state.find(material_id) if state else None
                if key is None or state is None or material is None:
                    continue
                if material.generation != generation or not material.imported:
                    continue
                self._remove_material(key, state, material)
                self._refresh_state(key, state)
                self.on_material_expired(key, material, valid_to)

    def on_material_expired(self, key: Key, material: KeyMaterial, valid_to: float) -> None:
        """Hook called once per expiry, with the material's ValidTo (epoch seconds)."""
        _events.record_material_expired(self, key, material.material_id, valid_to)

    def on_key_rotated(
        self, key: Key, previous_material_id: str | None, current_material_id: str | None
    ) -> None:
        """Called once per key (primary and each replica) when an on-demand rotation completes:
        the ``RotateKey`` service event."""
        _events.record_key_rotated(self, key, previous_material_id, current_material_id)

    def _remove_material(self, key: Key, state: KeyImport, material: KeyMaterial) -> None:
        if material.permanent or self._is_replica(key):
            # A replica keeps even its pending copy associated: the primary still has that
            # material pending, and the replica must be able to import it again (EXISTING).
            material.forget()
        else:
            # Pending-rotation material is not permanently associated: deleting it frees the slot.
            state.materials.remove(material)
            self._drop_pending_from_replicas(key, material.material_id)

    # -- key creation and metadata -------------------------------------------------------------

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
            return super().create_key(
                policy, key_usage, key_spec, description, tags, multi_region, origin
            )
        key_spec = key_spec or _keyspecs.SYMMETRIC
        # Before moto's enum check: moto's KeySpec enum lacks ML_DSA_* and ECC_NIST_EDWARDS25519.
        self._check_importable(key_spec)
        self._KmsBackend__ensure_valid_key_spec(key_spec)  # type: ignore[attr-defined]
        key_usage = key_usage or _DEFAULT_USAGE.get(_keyspecs.family(key_spec), "ENCRYPT_DECRYPT")
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
        if key_spec in _keyspecs.NOT_IMPORTABLE:
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
        key.policy = policy or key.generate_default_policy()
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

    def import_metadata(self, key_id: str) -> dict[str, Any]:
        """The KeyMetadata fields moto does not know: ExpirationModel, ValidTo,
        CurrentKeyMaterialId (present only once there is something to say, spec §1.2)."""
        state = self.imports.get(key_id)
        if state is None:
            return {}
        fields: dict[str, Any] = {}
        model, valid_to = state.expiration()
        if model is not None:
            fields["ExpirationModel"] = model
        if valid_to is not None:
            fields["ValidTo"] = valid_to.timestamp()
        if state.key_spec == _keyspecs.SYMMETRIC and state.current_material_id:
            fields["CurrentKeyMaterialId"] = state.current_material_id
        return fields

    def describe_key(self, key_id: str) -> Key:
        self.sweep()
        return super().describe_key(key_id)

    # -- GetParametersForImport ----------------------------------------------------------------

    def get_parameters_for_import(
        self, key_id: str, wrapping_algorithm: str, wrapping_key_spec: str
    ) -> tuple[Key, bytes, bytes, _dt.datetime]:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_GetParametersForImport.html"""
        self.sweep()
        key, state = self._external(key_id)
        if key.key_state in _DELETING:
            raise KMSInvalidStateException(pending_deletion(key.arn))
        if wrapping_algorithm == "SM2PKE" or wrapping_key_spec == "SM2":
            self._refuse_sm2(
                f"Wrapping {wrapping_algorithm} with wrapping key spec {wrapping_key_spec}"
            )
        if not _keyspecs.wrapping_allowed(key.key_spec, wrapping_algorithm, wrapping_key_spec):
            raise ValidationException(
                _keyspecs.wrapping_refused_message(
                    key.key_spec, wrapping_algorithm, wrapping_key_spec
                )
            )
        slot = POOL.acquire(wrapping_key_spec)
        public_key = POOL.public_key_der(wrapping_key_spec, slot)
        valid_to = _clock.now() + TOKEN_LIFETIME
        token = _tokens.seal(
            _tokens.TokenClaims(
                account_id=self.account_id,
                region=self.region_name,
                key_id=key.id,
                wrapping_algorithm=wrapping_algorithm,
                wrapping_key_spec=wrapping_key_spec,
                slot=slot,
                valid_to=valid_to.timestamp(),
            )
        )
        return key, token, public_key, valid_to

    # -- ImportKeyMaterial ---------------------------------------------------------------------

    def import_key_material(
        self,
        key_id: str,
        import_token: bytes,
        encrypted_key_material: bytes,
        valid_to: _dt.datetime | None = None,
        expiration_model: str | None = None,
        import_type: str | None = None,
        key_material_id: str | None = None,
        key_material_description: str | None = None,
    ) -> tuple[Key, KeyMaterial]:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_ImportKeyMaterial.html"""
        self.sweep()
        key, state = self._external(key_id)
        self._sweep_primary(key)
        if key.key_state in _DELETING:
            raise KMSInvalidStateException(pending_deletion(key.arn))
        symmetric = key.key_spec == _keyspecs.SYMMETRIC
        if not symmetric:
            for name, value in (
                ("ImportType", import_type),
                ("KeyMaterialId", key_material_id),
                ("KeyMaterialDescription", key_material_description),
            ):
                if value is not None:
                    raise ValidationException(
                        f"{name} is only valid for SYMMETRIC_DEFAULT keys; "
                        f"{key.arn} is a {key.key_spec} key, which has exactly one key material."
                    )
        model, valid_to = self._expiration(expiration_model, valid_to)
        self._import_type(key, state, import_type, key_material_id)
        claims = self._open_token(key, import_token)
        material = self._unwrap(key, claims, encrypted_key_material)
        material_id = _material.material_id(key.id, material)

        with self.lock:
            # The checks above ran without the lock (the unwrap is slow, and a request they
            # refuse changes nothing); a parallel import, delete or ScheduleKeyDeletion may have
            # changed the key since, so everything that depends on its state is decided again
            # here, where the state change happens.
            if key.key_state in _DELETING:
                raise KMSInvalidStateException(pending_deletion(key.arn))
            effective_type = self._import_type(key, state, import_type, key_material_id)
            target = self._import_target(key, state, material_id, effective_type, key_material_id)
            # Nothing below can fail: the request is accepted.
            target.material = material
            target.expiration_model = model
            target.valid_to = valid_to
            target.generation += 1
            if key_material_description is not None:
                target.description = key_material_description
            self._schedule_expiry(key.id, target)
            self._refresh_state(key, state)
        return key, target

    def _import_type(
        self, key: Key, state: KeyImport, import_type: str | None, key_material_id: str | None
    ) -> str:
        """ImportType, defaulted as AWS does: NEW for the first material, EXISTING after."""
        effective_type = import_type or (NEW if not state.materials else EXISTING)
        if key_material_id is not None and effective_type == NEW:
            raise ValidationException(
                "KeyMaterialId cannot be specified when ImportType is NEW_KEY_MATERIAL."
            )
        if effective_type == NEW and self._is_replica(key):
            raise UnsupportedOperationException(
                self._replica_refusal(key, "import new key material")
            )
        return effective_type

    @staticmethod
    def _expiration(
        expiration_model: str | None, valid_to: _dt.datetime | None
    ) -> tuple[str, _dt.datetime | None]:
        model = expiration_model or EXPIRES  # AWS's default (spec §5.2)
        if model == DOES_NOT_EXPIRE:
            if valid_to is not None:
                raise ValidationException(
                    "A validTo date must not be set if the ExpirationModel is "
                    "KEY_MATERIAL_DOES_NOT_EXPIRE"
                )
            return model, None
        if valid_to is None:
            raise ValidationException(
                "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES"
            )
        now = _clock.now()
        if valid_to <= now:
            raise ValidationException(
                f"ValidTo {valid_to.isoformat()} is in the past; it must be a time in the future."
            )
        if valid_to > now + MAX_VALID_TO:
            raise ValidationException(
                f"ValidTo {valid_to.isoformat()} is more than 365 days from now; "
                "choose a date at most 365 days ahead."
            )
        return model, valid_to

    def _open_token(self, key: Key, token: bytes) -> _tokens.TokenClaims:
        try:
            claims = _tokens.open_token(token)
        except _tokens.InvalidToken:
            claims = None
        if claims is None or (claims.account_id, claims.region, claims.key_id) != (
            self.account_id,
            self.region_name,
            key.id,
        ):
            raise InvalidImportTokenException(
                f"The import token is invalid or is associated with a different KMS key "
                f"than {key.arn}."
            )
        if _clock.now().timestamp() >= claims.valid_to:
            expired = _dt.datetime.fromtimestamp(claims.valid_to, _dt.timezone.utc)
            raise ExpiredImportTokenException(
                f"The import token for {key.arn} expired at {expired.isoformat()}; "
                "call GetParametersForImport for a new public key and token."
            )
        return claims

    def _unwrap(self, key: Key, claims: _tokens.TokenClaims, blob: bytes) -> _material.Material:
        private = POOL.private_key(claims.wrapping_key_spec, claims.slot)
        try:
            raw = _wrapping.unwrap_key_material(private, blob, claims.wrapping_algorithm)
        except _wrapping.UnwrapError:
            raise InvalidCiphertextException() from None
        try:
            return _material.validate(key.key_spec, raw)
        except _material.BadMaterial as exc:
            raise IncorrectKeyMaterialException(f"{exc} (key {key.arn})") from None

    def _import_target(
        self,
        key: Key,
        state: KeyImport,
        material_id: str,
        import_type: str,
        key_material_id: str | None,
    ) -> KeyMaterial:
        """The material record this import fills, created if new; raises if not allowed."""
        existing = state.find(material_id)
        if import_type == EXISTING:
            if key_material_id is not None and key_material_id != material_id:
                raise IncorrectKeyMaterialException(
                    f"The key material does not match KeyMaterialId {key_material_id} of {key.arn}."
                )
            if existing is None:
                raise IncorrectKeyMaterialException(
                    "The key material is not the same key material that was previously "
                    f"imported into {key.arn}."
                )
            return existing
        if existing is not None:
            raise IncorrectKeyMaterialException(
                "KMS expected new key material but the key material being imported is already "
                f"associated with {key.arn}."
            )
        if not state.materials:
            record = KeyMaterial(material_id, CURRENT)
            state.materials.append(record)
            state.current_material_id = material_id
            return record
        return self._new_pending_material(key, state, material_id)

    def _new_pending_material(self, key: Key, state: KeyImport, material_id: str) -> KeyMaterial:
        if key.key_spec != _keyspecs.SYMMETRIC:
            raise IncorrectKeyMaterialException(
                f"{key.arn} is a {key.key_spec} key, which has exactly one key material."
            )
        pending = state.pending
        if pending is not None:
            raise KMSInvalidStateException(
                f"New key material (id: {material_id}) cannot be imported into KMS key {key.arn}, "
                f"because another key material (id: {pending.material_id}) is pending rotation."
            )
        record = KeyMaterial(material_id, PENDING_ROTATION)
        state.materials.append(record)
        self._share_pending_with_replicas(key, material_id)
        return record

    # -- DeleteImportedKeyMaterial ---------------------------------------------------------------

    def delete_imported_key_material(
        self, key_id: str, key_material_id: str | None = None
    ) -> tuple[Key, str | None]:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_DeleteImportedKeyMaterial.html"""
        self.sweep()
        key, state = self._external(key_id)
        with self.lock:
            if key_material_id is not None:
                target = state.find(key_material_id)
                if target is None:
                    # AWS's answer is undocumented; NotFoundException is in the operation's
                    # error list and says what happened: no such material on this key.
                    raise NotFoundException(
                        f"Key material {key_material_id} is not associated with {key.arn}."
                    )
            else:
                target = state.current
            if target is None:
                return key, None  # nothing was ever imported: no effect (spec §6.2)
            if target.imported:
                self._remove_material(key, state, target)
                self._refresh_state(key, state)
        return key, target.material_id

    # -- rotation and multi-Region ---------------------------------------------------------------
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

    def _replicas(self, key: Key) -> list[tuple[ImportKmsBackend, Key, KeyImport]]:
        """The replicas of the primary key ``key`` (none for any other key), each with its
        Region's backend and import state."""
        if not key.multi_region or self._is_replica(key):
            return []
        found = []
        for replica in key.multi_region_configuration["ReplicaKeys"]:
            backend = kms_backends[self.account_id][replica["Region"]]
            if not isinstance(backend, ImportKmsBackend):
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
            if isinstance(primary, ImportKmsBackend):
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

    def rotate_key_on_demand(self, key_id: str) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_RotateKeyOnDemand.html

        For EXTERNAL keys the material pending rotation becomes current at once (AWS completes
        the rotation asynchronously, within about a minute). Other keys keep moto's behaviour.
        """
        key = self.external_key(key_id)
        if key is None:
            return super().rotate_key_on_demand(key_id)
        self.sweep()
        # Key state before key spec: AWS answers DisabledException even for an RSA key.
        if key.key_state == "Disabled":
            raise DisabledException(disabled(key.arn))
        if key.key_state in _DELETING:
            raise KMSInvalidStateException(pending_deletion(key.arn))
        if key.key_state == "PendingImport":
            raise KMSInvalidStateException(pending_import(key.arn))
        if key.key_spec != _keyspecs.SYMMETRIC:
            raise UnsupportedOperationException()  # AWS's message is empty
        if self._is_replica(key):
            raise UnsupportedOperationException(
                self._replica_refusal(key, "call RotateKeyOnDemand")
            )
        rotated: list[tuple[ImportKmsBackend, Key, str | None, str]] = []
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
            when = _clock.now()
            for backend, related, related_state in [(self, key, state), *self._replicas(key)]:
                with backend.lock:
                    previous = _rotation.rotate(related_state, pending.material_id, when)
                    backend._refresh_state(related, related_state)
                rotated.append((backend, related, previous, pending.material_id))
        for backend, related, previous, current in rotated:
            backend.on_key_rotated(related, previous or "", current)
        return key.arn

    def key_material_entries(self, key: Key, include_all: bool) -> list[dict[str, Any]]:
        """ListKeyRotations entries of the EXTERNAL symmetric key ``key``, oldest first."""
        self._sweep_primary(key)
        self.sweep()
        state = self.imports[key.id]
        with self.lock:
            return _rotation.entries(
                key.id, state, include_all, lambda m: self.material_state(key, m)
            )

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
            return super().replicate_key(key_id, replica_region)
        self.sweep()
        if not key.multi_region or self._is_replica(key):
            raise UnsupportedOperationException(f"{key.arn} is not a multi-region primary key.")
        if key.key_state == "PendingImport":
            raise KMSInvalidStateException(pending_import(key.arn))
        if key.key_state == "Disabled":
            raise DisabledException(disabled(key.arn))
        if key.key_state in _DELETING:
            raise KMSInvalidStateException(pending_deletion(key.arn))
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
        assert isinstance(target, ImportKmsBackend)
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

    # -- key-state rules for EXTERNAL keys (spec §7) ---------------------------------------------

    def enable_key(self, key_id: str) -> None:
        key = self.external_key(key_id)
        if key is None:
            return super().enable_key(self.get_key_id(key_id))
        with self.lock:  # so a parallel delete cannot slip between the check and the change
            self._refuse_state_change(key)
            key.key_state, key.enabled = "Enabled", True

    def disable_key(self, key_id: str) -> None:
        key = self.external_key(key_id)
        if key is None:
            return super().disable_key(self.get_key_id(key_id))
        with self.lock:
            self._refuse_state_change(key)
            key.key_state, key.enabled = "Disabled", False

    def _refuse_state_change(self, key: Key) -> None:
        self.sweep()
        if key.key_state == "PendingImport":
            raise KMSInvalidStateException(pending_import(key.arn))
        if key.key_state in _DELETING:
            raise KMSInvalidStateException(pending_deletion(key.arn))

    def schedule_key_deletion(self, key_id: str, pending_window_in_days: int) -> float:
        key = self.external_key(key_id)
        if key is None:
            return super().schedule_key_deletion(self.get_key_id(key_id), pending_window_in_days)
        with self.lock:  # an import deriving KeyState in parallel must not undo PendingDeletion
            self.sweep()
            if key.key_state in _DELETING:
                raise KMSInvalidStateException(pending_deletion(key.arn))
            return super().schedule_key_deletion(key.id, pending_window_in_days)

    def cancel_key_deletion(self, key_id: str) -> None:
        key = self.external_key(key_id)
        if key is None:
            return super().cancel_key_deletion(self.get_key_id(key_id))
        with self.lock:
            self.sweep()
            if key.key_state not in _DELETING:
                raise KMSInvalidStateException(not_pending_deletion(key.arn))
            # AWS leaves a cancelled key Disabled; a key without its material cannot be
            # Disabled (EnableKey would then give an Enabled key with no material): PendingImport.
            complete = self.imports[key.id].complete
            key.key_state = "Disabled" if complete else "PendingImport"
            key.enabled = False
            key.deletion_date = None

    def enable_key_rotation(self, key_id: str) -> None:
        self._refuse_rotation_setting(key_id)
        return super().enable_key_rotation(key_id)

    def disable_key_rotation(self, key_id: str) -> None:
        self._refuse_rotation_setting(key_id)
        return super().disable_key_rotation(key_id)

    def get_key_rotation_status(self, key_id: str) -> bool:
        self._refuse_rotation_setting(key_id)
        return super().get_key_rotation_status(key_id)

    def _refuse_rotation_setting(self, key_id: str) -> None:
        key = self.external_key(key_id)
        if key is not None:
            # Automatic rotation is never available for imported key material.
            raise UnsupportedOperationException(origin_not_valid(key.arn, EXTERNAL))

    # -- cryptographic operations with the imported material -----------------------------------

    def encrypt(
        self, key_id: str, plaintext: bytes, encryption_context: dict[str, str]
    ) -> tuple[bytes, str]:
        key = self.external_key(key_id)
        if key is None:
            return super().encrypt(key_id, plaintext, encryption_context)
        with self.lock:  # the state check and the material read see the same moment
            self.check_usable(key)
            if key.key_usage != "ENCRYPT_DECRYPT":
                raise InvalidKeyUsageException(
                    f"{key.arn} has key usage {key.key_usage}, which is not valid for Encrypt."
                )
            if key.key_spec != _keyspecs.SYMMETRIC:
                # Encrypt with an RSA key is served by ``encrypt_imported``; what reaches this
                # point (GenerateDataKey*, ReEncrypt) needs a symmetric encryption key.
                raise InvalidKeyUsageException(
                    f"{key.arn} is a {key.key_spec} key; this operation needs a "
                    "SYMMETRIC_DEFAULT key."
                )
            current = self.imports[key.id].current
            assert current is not None and current.material is not None  # Enabled ⇒ imported
            material_id, material = current.material_id, current.material
        if not plaintext or len(plaintext) > 4096:
            # Delegate the length errors to moto, which words them as AWS does.
            return super().encrypt(key_id, plaintext, encryption_context)
        blob = _ciphertext.seal(
            key.id, material_id, material.canonical, plaintext, encryption_context
        )
        return blob, key.arn

    def decrypt(
        self,
        ciphertext_blob: bytes,
        encryption_context: dict[str, str],
        key_id: str | None = None,
    ) -> tuple[bytes, str]:
        header = _ciphertext.parse(ciphertext_blob)
        if header is None:
            return super().decrypt(ciphertext_blob, encryption_context, key_id)
        key = self.keys.get(header.key_id)
        state = self.imports.get(header.key_id)
        if key is None or state is None:
            raise AccessDeniedException(
                "The ciphertext refers to a customer master key that does not exist, "
                "does not exist in this region, or you are not allowed to access."
            )
        if key_id is not None and self.any_id_to_key_id(key_id) != key.id:
            raise AccessDeniedException(
                "The ciphertext refers to a customer master key that does not exist, "
                "does not exist in this region, or you are not allowed to access."
            )
        with self.lock:
            self.check_usable(key)
            record = state.find(header.material_id)
            material = record.material if record is not None else None
        if material is None:
            raise InvalidCiphertextException()
        plaintext = _ciphertext.open_blob(
            header, ciphertext_blob, material.canonical, encryption_context
        )
        if plaintext is None:
            raise InvalidCiphertextException()
        return plaintext, key.arn

    # -- asymmetric and HMAC operations ----------------------------------------------------------
    # Sign/Verify, GetPublicKey, RSA Encrypt/Decrypt, GenerateMac/VerifyMac and DeriveSharedSecret
    # with the imported material of an EXTERNAL key (pure crypto in ``_asymmetric``). The
    # response layer routes only EXTERNAL keys here; other keys keep moto's behaviour.

    def _check_key_usage(self, key_spec: str, key_usage: str) -> None:
        if key_usage not in _keyspecs.KEY_USAGES.get(key_spec, ()):
            raise ValidationException(
                f"KeyUsage {key_usage} is not compatible with KeySpec {key_spec}."
            )

    def _refuse_sm2(self, what: str) -> None:
        if self.region_name not in _keyspecs.CHINA_REGIONS:
            raise ValidationException(
                f"{what} is available only in the China Regions (cn-north-1, cn-northwest-1), "
                f"not in {self.region_name}."
            )
        # Deliberate difference from AWS: no maintained SM2 library to build on (see README).
        raise UnsupportedOperationException(
            f"{what} is not supported by kms-import-mock: importing SM2 key material and SM2PKE "
            "wrapping are not implemented."
        )

    def _imported(self, key_id: str, usage: str, operation: str) -> tuple[Key, _material.Material]:
        """The EXTERNAL key and its material, after the key-state and key-usage checks."""
        key = self.external_key(key_id)
        if key is None:
            raise NotFoundException(f"Key '{self._arn(self.get_key_id(key_id))}' does not exist")
        self.check_usable(key)
        if key.key_usage != usage or key.key_spec == _keyspecs.SYMMETRIC:
            raise InvalidKeyUsageException(key_usage_not_valid(key.arn, key.key_usage, operation))
        current = self.imports[key.id].current
        assert current is not None and current.material is not None  # Enabled ⇒ imported
        return key, current.material

    @staticmethod
    def _check_algorithm(key: Key, kind: str, algorithm: str) -> None:
        allowed = next(iter(_keyspecs.algorithm_fields(key.key_spec, key.key_usage).values()), [])
        if algorithm not in allowed:
            raise InvalidKeyUsageException(
                f"{kind} algorithm {algorithm} is not compatible with {key.arn}; "
                f"this {key.key_spec} key supports {', '.join(allowed)}."
            )

    def _asymmetric_key(self, key: Key, material: _material.Material) -> _material.PrivateKey:
        assert material.private_key is not None, f"{key.arn} holds no private key"
        return material.private_key

    def sign_imported(
        self, key_id: str, message: bytes, message_type: str, signing_algorithm: str
    ) -> tuple[Key, bytes]:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html"""
        key, material = self._imported(key_id, "SIGN_VERIFY", "Sign")
        self._check_algorithm(key, "Signing", signing_algorithm)
        private = self._asymmetric_key(key, material)
        try:
            return key, _asymmetric.sign(private, message, message_type, signing_algorithm)
        except _asymmetric.CryptoError as exc:
            raise ValidationException(str(exc)) from None

    def verify_imported(
        self,
        key_id: str,
        message: bytes,
        message_type: str,
        signature: bytes,
        signing_algorithm: str,
    ) -> Key:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_Verify.html"""
        key, material = self._imported(key_id, "SIGN_VERIFY", "Verify")
        self._check_algorithm(key, "Signing", signing_algorithm)
        private = self._asymmetric_key(key, material)
        try:
            valid = _asymmetric.verify(private, message, message_type, signature, signing_algorithm)
        except _asymmetric.CryptoError as exc:
            raise ValidationException(str(exc)) from None
        if not valid:
            raise KMSInvalidSignatureException()
        return key

    def get_public_key_imported(self, key_id: str) -> tuple[Key, bytes]:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_GetPublicKey.html"""
        key = self.external_key(key_id)
        if key is None:
            raise NotFoundException(f"Key '{self._arn(self.get_key_id(key_id))}' does not exist")
        if _keyspecs.family(key.key_spec) not in ("rsa", "ecc"):
            self.check_usable(key)
            raise UnsupportedOperationException(
                f"{key.arn} is a {key.key_spec} key, which has no public key."
            )
        key, material = self._imported(key_id, key.key_usage, "GetPublicKey")
        return key, _asymmetric.public_key_der(self._asymmetric_key(key, material))

    def _rsa_private(self, key_id: str, algorithm: str, operation: str) -> tuple[Key, Any]:
        key, material = self._imported(key_id, "ENCRYPT_DECRYPT", operation)
        self._check_algorithm(key, "Encryption", algorithm)
        return key, self._asymmetric_key(key, material)

    def encrypt_imported(self, key_id: str, plaintext: bytes, algorithm: str) -> tuple[Key, bytes]:
        """Encrypt with an RSA EXTERNAL key: RSAES-OAEP under the imported key's public key."""
        key, private = self._rsa_private(key_id, algorithm, "Encrypt")
        try:
            return key, _asymmetric.rsa_encrypt(private, plaintext, algorithm)
        except _asymmetric.CryptoError as exc:
            raise ValidationException(str(exc)) from None

    def decrypt_imported(self, key_id: str, ciphertext: bytes, algorithm: str) -> tuple[Key, bytes]:
        """Decrypt with an RSA EXTERNAL key; a ciphertext that does not decrypt is refused as AWS
        refuses it (InvalidCiphertextException, empty message)."""
        key, private = self._rsa_private(key_id, algorithm, "Decrypt")
        plaintext = _asymmetric.rsa_decrypt(private, ciphertext, algorithm)
        if plaintext is None:
            raise InvalidCiphertextException()
        return key, plaintext

    def generate_mac_imported(
        self, key_id: str, message: bytes, mac_algorithm: str
    ) -> tuple[Key, bytes]:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateMac.html"""
        key, material = self._imported(key_id, "GENERATE_VERIFY_MAC", "GenerateMac")
        self._check_algorithm(key, "MAC", mac_algorithm)
        return key, _asymmetric.mac(material.canonical, mac_algorithm, message)

    def verify_mac_imported(
        self, key_id: str, message: bytes, mac_algorithm: str, mac: bytes
    ) -> Key:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_VerifyMac.html"""
        key, material = self._imported(key_id, "GENERATE_VERIFY_MAC", "VerifyMac")
        self._check_algorithm(key, "MAC", mac_algorithm)
        if not _asymmetric.mac_matches(material.canonical, mac_algorithm, message, mac):
            raise KMSInvalidMacException()
        return key

    def derive_shared_secret(
        self, key_id: str, key_agreement_algorithm: str, public_key: bytes
    ) -> tuple[Key, bytes]:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_DeriveSharedSecret.html

        moto (5.2) has no DeriveSharedSecret; for its own KEY_AGREEMENT keys the mock uses the
        private key moto generated.
        """
        key = self.external_key(key_id)
        if key is not None:
            key, material = self._imported(key_id, "KEY_AGREEMENT", "DeriveSharedSecret")
            private: Any = self._asymmetric_key(key, material)
        else:
            key = self.describe_key(key_id)
            private = getattr(key.private_key, "private_key", None)
            if key.key_usage != "KEY_AGREEMENT" or not isinstance(
                private, ec.EllipticCurvePrivateKey
            ):
                raise InvalidKeyUsageException(
                    key_usage_not_valid(key.arn, key.key_usage, "DeriveSharedSecret")
                )
        self._check_algorithm(key, "Key agreement", key_agreement_algorithm)
        try:
            return key, _asymmetric.derive_shared_secret(private, public_key)
        except _asymmetric.CryptoError as exc:
            raise ValidationException(str(exc)) from None
