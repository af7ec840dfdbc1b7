"""The key-state table for EXTERNAL keys (spec §7): what Enable/Disable/deletion/rotation
settings may do to a key whose material can be missing."""

from __future__ import annotations

from moto.kms.models import Key

from ._backend_base import (
    _DELETING,
    EXTERNAL,
    ImportBackendBase,
)
from ._errors import (
    KMSInvalidStateException,
    UnsupportedOperationException,
    not_pending_deletion,
    origin_not_valid,
    pending_deletion,
    pending_import,
)


class KeyStateRules(ImportBackendBase):
    """moto's key-state operations, with AWS's rules for EXTERNAL keys."""

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
