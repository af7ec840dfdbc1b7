"""The key-state table for EXTERNAL keys: what Enable/Disable/deletion/rotation
settings may do to a key whose material can be missing, and which management operations
(CreateGrant, tags, aliases, description) a key's state refuses.

Operations the table allows in every state (DescribeKey, ListAliases, ListGrants, GetKeyPolicy,
PutKeyPolicy, RetireGrant, RevokeGrant, ListResourceTags) keep moto's methods. Cryptographic
operations check the state in ``ImportBackendBase.check_usable``; the import operations, rotation
and ReplicateKey in their own mixins.
"""

from __future__ import annotations

from typing import Any

from moto.kms.models import Alias, Key

from .base import (
    _DELETING,
    EXTERNAL,
    ImportBackendBase,
)
from .errors import (
    DisabledException,
    KMSInvalidStateException,
    UnsupportedOperationException,
    disabled,
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

    # -- management operations: the table's rows CreateGrant and CreateAlias/TagResource/... --

    def create_grant(self, key_id: str, *args: Any, **kwargs: Any) -> tuple[str, str]:
        """CreateGrant needs a usable key: PendingImport [5], Disabled [1], pending deletion [3]."""
        key = self.external_key(key_id)
        if key is not None:
            self.sweep()
            if key.key_state == "PendingImport":
                raise KMSInvalidStateException(pending_import(key.arn))
            if key.key_state == "Disabled":
                raise DisabledException(disabled(key.arn))
            self._refuse_while_deleting(key)
        return super().create_grant(key_id, *args, **kwargs)

    def tag_resource(self, *args: Any, **kwargs: Any) -> None:
        # moto 5.2.5 takes ``(arn, tags: dict)``, older moto ``(key_id_or_arn, tags: list)``:
        # only the key argument matters here, the rest goes to moto as it came.
        self._refuse_if_deleting(_key_argument(args, kwargs))
        super().tag_resource(*args, **kwargs)

    def untag_resource(self, *args: Any, **kwargs: Any) -> None:
        self._refuse_if_deleting(_key_argument(args, kwargs))
        super().untag_resource(*args, **kwargs)

    def create_alias(self, target_key_id: str, alias_name: str) -> Alias:
        self._refuse_if_deleting(target_key_id)
        return super().create_alias(target_key_id, alias_name)

    def update_alias(self, target_key_id: str, alias_name: str) -> Alias:
        # Only the key the alias is to point at: moving an alias away from a key pending
        # deletion stays possible (as DeleteAlias is).
        self._refuse_if_deleting(target_key_id)
        return super().update_alias(target_key_id, alias_name)

    def update_key_description(self, key_id: str, description: str) -> None:
        self._refuse_if_deleting(key_id)
        super().update_key_description(key_id, description)

    def _refuse_if_deleting(self, key_id: str | None) -> None:
        """Footnote [3] for an EXTERNAL key pending deletion; any other key or state passes."""
        key = self.external_key(key_id) if key_id else None
        if key is not None:
            self.sweep()
            self._refuse_while_deleting(key)

    @staticmethod
    def _refuse_while_deleting(key: Key) -> None:
        if key.key_state in _DELETING:
            raise KMSInvalidStateException(pending_deletion(key.arn))


_KEY_PARAMETERS = ("arn", "key_id_or_arn", "key_id", "resource_arn")


def _key_argument(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
    """The key (ID or ARN) a tagging call names, however moto's signature calls it."""
    if args:
        return str(args[0])
    for name in _KEY_PARAMETERS:
        if kwargs.get(name) is not None:
            return str(kwargs[name])
    return None
