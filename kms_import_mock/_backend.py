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

from moto.core.utils import unix_time
from moto.kms.exceptions import AccessDeniedException
from moto.kms.models import Key, KmsBackend
from moto.kms.utils import generate_key_id
from moto.utilities.utils import get_partition

from . import _ciphertext, _clock, _keyspecs, _material, _tokens, _wrapping
from ._errors import (
    DisabledException,
    ExpiredImportTokenException,
    IncorrectKeyMaterialException,
    InvalidCiphertextException,
    InvalidImportTokenException,
    InvalidKeyUsageException,
    KMSInvalidStateException,
    NotFoundException,
    UnsupportedOperationException,
    ValidationException,
    disabled,
    not_pending_deletion,
    origin_not_valid,
    pending_deletion,
    pending_import,
)
from ._state import (
    CURRENT,
    DOES_NOT_EXPIRE,
    EXPIRES,
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
        if not heap or heap[0][0] > _clock.now().timestamp():
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
                self._remove_material(state, material)
                self._refresh_state(key, state)
                self.on_material_expired(key, material, valid_to)

    def on_material_expired(self, key: Key, material: KeyMaterial, valid_to: float) -> None:
        """Hook called once per expiry, with the material's ValidTo (epoch seconds)."""

    @staticmethod
    def _remove_material(state: KeyImport, material: KeyMaterial) -> None:
        if material.permanent:
            material.forget()
        else:
            # Pending-rotation material is not permanently associated: deleting it frees the slot.
            state.materials.remove(material)

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
        self._KmsBackend__ensure_valid_key_spec(key_spec)  # type: ignore[attr-defined]
        self._check_importable(key_spec)
        key_usage = key_usage or _DEFAULT_USAGE.get(_keyspecs.family(key_spec), "ENCRYPT_DECRYPT")
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

    def _new_key_without_material(
        self,
        policy: str | None,
        key_usage: str,
        key_spec: str,
        description: str | None,
        multi_region: bool,
    ) -> Key:
        """A moto ``Key`` with exactly the attributes ``Key.__init__`` sets, but no key material.

        ``Key.__init__`` always generates a private key (RSA-2048 even for symmetric keys, ~60 ms);
        an EXTERNAL key has no material until it is imported, so none is generated.
        """
        key = Key.__new__(Key)
        assert isinstance(key, Key)
        key.id = generate_key_id(multi_region)
        key.creation_date = unix_time()
        key.account_id = self.account_id
        key.region = self.region_name
        key.arn = self._arn(key.id)
        key.policy = policy or key.generate_default_policy()
        key.key_usage = key_usage
        key.key_state = "PendingImport"
        key.description = description or ""
        key.enabled = False
        key.multi_region = multi_region
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
        effective_type = import_type or (NEW if not state.materials else EXISTING)
        if key_material_id is not None and effective_type == NEW:
            raise ValidationException(
                "KeyMaterialId cannot be specified when ImportType is NEW_KEY_MATERIAL."
            )
        claims = self._open_token(key, import_token)
        material = self._unwrap(key, claims, encrypted_key_material)
        material_id = _material.material_id(key.id, material)

        with self.lock:
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
                    raise NotFoundException(
                        f"Key material {key_material_id} is not associated with {key.arn}."
                    )
            else:
                target = state.current
            if target is None:
                return key, None  # nothing was ever imported: no effect (spec §6.2)
            if target.imported:
                self._remove_material(state, target)
                self._refresh_state(key, state)
        return key, target.material_id

    # -- key-state rules for EXTERNAL keys (spec §7) ---------------------------------------------

    def enable_key(self, key_id: str) -> None:
        key = self.external_key(key_id)
        if key is None:
            return super().enable_key(self.get_key_id(key_id))
        self._refuse_state_change(key)
        key.key_state, key.enabled = "Enabled", True

    def disable_key(self, key_id: str) -> None:
        key = self.external_key(key_id)
        if key is None:
            return super().disable_key(self.get_key_id(key_id))
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
        if key is not None:
            self.sweep()
            if key.key_state in _DELETING:
                raise KMSInvalidStateException(pending_deletion(key.arn))
        return super().schedule_key_deletion(self.get_key_id(key_id), pending_window_in_days)

    def cancel_key_deletion(self, key_id: str) -> None:
        key = self.external_key(key_id)
        if key is None:
            return super().cancel_key_deletion(self.get_key_id(key_id))
        self.sweep()
        if key.key_state not in _DELETING:
            raise KMSInvalidStateException(not_pending_deletion(key.arn))
        with self.lock:
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
        self.check_usable(key)
        if key.key_usage != "ENCRYPT_DECRYPT":
            raise InvalidKeyUsageException(
                f"{key.arn} has key usage {key.key_usage}, which is not valid for Encrypt."
            )
        if key.key_spec != _keyspecs.SYMMETRIC:
            # The symmetric blob format below needs 32 bytes of AES material.
            raise UnsupportedOperationException(
                f"Encrypt with imported {key.key_spec} key material ({key.arn}) is not "
                "supported by kms-import-mock."
            )
        if not plaintext or len(plaintext) > 4096:
            # Delegate the length errors to moto, which words them as AWS does.
            return super().encrypt(key_id, plaintext, encryption_context)
        current = self.imports[key.id].current
        assert current is not None and current.material is not None  # Enabled ⇒ imported
        blob = _ciphertext.seal(
            key.id, current.material_id, current.material.canonical, plaintext, encryption_context
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
        self.check_usable(key)
        record = state.find(header.material_id)
        if record is None or record.material is None:
            raise InvalidCiphertextException()
        plaintext = _ciphertext.open_blob(
            header, ciphertext_blob, record.material.canonical, encryption_context
        )
        if plaintext is None:
            raise InvalidCiphertextException()
        return plaintext, key.arn
