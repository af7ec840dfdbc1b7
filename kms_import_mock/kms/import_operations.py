"""GetParametersForImport, ImportKeyMaterial and DeleteImportedKeyMaterial.

Each reads top-down: resolve the key → validate the request → check the token, unwrap and
validate the material → change state under the backend lock, so a refused request changes nothing.
"""

from __future__ import annotations

import datetime as _dt

from moto.kms.models import Key

from kms_import_mock.crypto import keyspecs, tokens, wrapping_keys
from kms_import_mock.crypto import material as _material
from kms_import_mock.crypto import wrapping as _wrapping

from . import clock
from .base import (
    _DELETING,
    EXISTING,
    MAX_VALID_TO,
    NEW,
    TOKEN_LIFETIME,
    ImportBackendBase,
)
from .errors import (
    ExpiredImportTokenException,
    IncorrectKeyMaterialException,
    InvalidCiphertextException,
    InvalidImportTokenException,
    KMSInvalidStateException,
    NotFoundException,
    UnsupportedOperationException,
    ValidationException,
    pending_deletion,
)
from .state import (
    CURRENT,
    DOES_NOT_EXPIRE,
    EXPIRES,
    PENDING_ROTATION,
    KeyImport,
    KeyMaterial,
)


class ImportOperations(ImportBackendBase):
    """The three import operations."""

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
        if not keyspecs.wrapping_allowed(key.key_spec, wrapping_algorithm, wrapping_key_spec):
            raise ValidationException(
                keyspecs.wrapping_refused_message(
                    key.key_spec, wrapping_algorithm, wrapping_key_spec
                )
            )
        slot = wrapping_keys.POOL.acquire(wrapping_key_spec)
        public_key = wrapping_keys.POOL.public_key_der(wrapping_key_spec, slot)
        valid_to = clock.now() + TOKEN_LIFETIME
        token = tokens.seal(
            tokens.TokenClaims(
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
        symmetric = key.key_spec == keyspecs.SYMMETRIC
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
        model = expiration_model or EXPIRES  # AWS's default
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
        now = clock.now()
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

    def _open_token(self, key: Key, token: bytes) -> tokens.TokenClaims:
        try:
            claims = tokens.open_token(token)
        except tokens.InvalidToken:
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
        if clock.now().timestamp() >= claims.valid_to:
            expired = _dt.datetime.fromtimestamp(claims.valid_to, _dt.timezone.utc)
            raise ExpiredImportTokenException(
                f"The import token for {key.arn} expired at {expired.isoformat()}; "
                "call GetParametersForImport for a new public key and token."
            )
        return claims

    def _unwrap(self, key: Key, claims: tokens.TokenClaims, blob: bytes) -> _material.Material:
        private = wrapping_keys.POOL.private_key(claims.wrapping_key_spec, claims.slot)
        try:
            raw = _wrapping.unwrap_key_material(private, blob, claims.wrapping_algorithm)
        except _wrapping.UnwrapError:
            # AWS's message for this is not on record (Decrypt's is empty); the first sentence
            # is the API reference's description of the error, the second says what to check.
            raise InvalidCiphertextException(
                "The request was rejected because KMS could not decrypt the encrypted (wrapped) "
                f"key material. Wrap it with {claims.wrapping_algorithm} under the "
                f"{claims.wrapping_key_spec} public key returned with this import token."
            ) from None
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
        if key.key_spec != keyspecs.SYMMETRIC:
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
                return key, None  # nothing was ever imported: no effect
            if target.imported:
                self._remove_material(key, state, target)
                self._refresh_state(key, state)
        return key, target.material_id
