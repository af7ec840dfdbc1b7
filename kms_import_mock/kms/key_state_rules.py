"""AWS's key-state table for every customer managed key, AWS_KMS and EXTERNAL alike:
what Enable/Disable/deletion/rotation settings may do to a key in each state, and which
management operations (CreateGrant, tags, aliases, description) a key's state refuses.

moto applies no key state at all (a Disabled key encrypts, a key pending deletion can be
scheduled again or disabled, CancelKeyDeletion of an Enabled key disables it). Operations the
table allows in every state (DescribeKey, ListAliases, ListGrants, GetKeyPolicy, PutKeyPolicy,
RetireGrant, RevokeGrant, ListResourceTags, GetKeyRotationStatus of an AWS_KMS key) keep moto's
methods. Cryptographic operations check the state in ``ImportBackendBase.check_usable``; the
import operations, rotation and ReplicateKey in their own mixins.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from moto.kms.models import Alias, Key, kms_backends

from . import clock
from .base import (
    _DELETING,
    EXTERNAL,
    ImportBackendBase,
)
from .errors import (
    DisabledException,
    KMSInvalidStateException,
    UnsupportedOperationException,
    ValidationException,
    disabled,
    not_pending_deletion,
    origin_not_valid,
    pending_deletion,
    pending_import,
)


class KeyStateRules(ImportBackendBase):
    """moto's key-state operations, with AWS's rules for every customer managed key."""

    def enable_key(self, key_id: str) -> None:
        key = self.known_key(key_id)
        if key is None:
            return super().enable_key(self.get_key_id(key_id))
        with self.lock:  # so a parallel delete cannot slip between the check and the change
            self._refuse_state_change(key)
            key.key_state, key.enabled = "Enabled", True

    def disable_key(self, key_id: str) -> None:
        key = self.known_key(key_id)
        if key is None:
            return super().disable_key(self.get_key_id(key_id))
        with self.lock:
            self._refuse_state_change(key)
            key.key_state, key.enabled = "Disabled", False

    def _refuse_state_change(self, key: Key) -> None:
        self.sweep()
        if key.key_state == "PendingImport":
            raise KMSInvalidStateException(pending_import(key.arn))
        self._refuse_while_deleting(key)

    def schedule_key_deletion(self, key_id: str, pending_window_in_days: int) -> float:
        """Refuses a key already pending deletion; a multi-Region primary whose replicas still
        exist goes to PendingReplicaDeletion (its waiting period starts once they are gone).
        Returns the DeletionDate (epoch seconds), 0.0 while PendingReplicaDeletion."""
        key = self.known_key(key_id)
        if key is None:
            return super().schedule_key_deletion(self.get_key_id(key_id), pending_window_in_days)
        with self.lock:  # an import deriving KeyState in parallel must not undo PendingDeletion
            self.sweep()
            self._refuse_while_deleting(key)
            if not 7 <= pending_window_in_days <= 30:
                # moto silently did nothing and answered DeletionDate null.
                bound = (
                    "greater than or equal to 7"
                    if pending_window_in_days < 7
                    else ("less than or equal to 30")
                )
                raise ValidationException(
                    f"1 validation error detected: Value '{pending_window_in_days}' at "
                    f"'pendingWindowInDays' failed to satisfy constraint: Member must have value "
                    f"{bound}"
                )
            self.deletion_windows[key.id] = pending_window_in_days
            key.key_state, key.enabled = "PendingDeletion", False
            if self._live_replicas(key):
                key.key_state, key.deletion_date = "PendingReplicaDeletion", None
                return 0.0
            return self._start_waiting_period(key)

    def _start_waiting_period(self, key: Key, since: _dt.datetime | None = None) -> float:
        """DeletionDate from ``since`` (default: now), when the sweep will delete the key."""
        # moto keeps a naive UTC datetime and serialises it with ``unix_time``; the mock clock
        # decides the date, as it decides ValidTo.
        start = since or clock.now()
        when = start + _dt.timedelta(days=self.deletion_windows.get(key.id, 30))
        key.deletion_date = when.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        self._deletions.schedule(key.id, "", when.timestamp())
        return when.timestamp()

    def _live_replicas(self, key: Key) -> list[Key]:
        """The replicas of primary ``key`` that still exist in their Regions' backends."""
        if not key.multi_region or self._is_replica(key):
            return []
        found = []
        for replica in key.multi_region_configuration.get("ReplicaKeys", []):
            backend = kms_backends[self.account_id][replica["Region"]]
            if key.id in backend.keys:
                found.append(backend.keys[key.id])
        return found

    def settle_replica_deletion(self, key: Key, since: _dt.datetime | None = None) -> None:
        """A primary in PendingReplicaDeletion whose last replica is gone: PendingDeletion, and
        its waiting period begins ``since`` (when the last replica was deleted) or, for
        replicas that left some other way, now (checked whenever the key is looked at)."""
        if key.key_state == "PendingReplicaDeletion" and not self._live_replicas(key):
            with self.lock:
                if key.key_state == "PendingReplicaDeletion":
                    key.key_state = "PendingDeletion"
                    self._start_waiting_period(key, since)

    def describe_key(self, key_id: str) -> Key:
        key = super().describe_key(key_id)
        self.settle_replica_deletion(key)
        return key

    def check_usable(self, key: Key) -> None:
        self.settle_replica_deletion(key)
        super().check_usable(key)

    def cancel_key_deletion(self, key_id: str) -> None:
        key = self.known_key(key_id)
        if key is None:
            return super().cancel_key_deletion(self.get_key_id(key_id))
        with self.lock:
            self.sweep()
            if key.key_state not in _DELETING:
                raise KMSInvalidStateException(not_pending_deletion(key.arn))
            # AWS leaves a cancelled key Disabled; an EXTERNAL key without its material cannot
            # be Disabled (EnableKey would then make it Enabled with no material): PendingImport.
            state = self.imports.get(key.id)
            complete = state is None or state.complete
            key.key_state = "Disabled" if complete else "PendingImport"
            key.enabled = False
            key.deletion_date = None
            self._deletions.cancel(key.id, "")

    def enable_key_rotation(self, key_id: str) -> None:
        self._refuse_rotation_setting(key_id)
        return super().enable_key_rotation(key_id)

    def disable_key_rotation(self, key_id: str) -> None:
        self._refuse_rotation_setting(key_id)
        return super().disable_key_rotation(key_id)

    def get_key_rotation_status(self, key_id: str) -> bool:
        key = self.external_key(key_id)
        if key is not None:
            raise UnsupportedOperationException(origin_not_valid(key.arn, EXTERNAL))
        return super().get_key_rotation_status(key_id)

    def _refuse_rotation_setting(self, key_id: str) -> None:
        key = self.known_key(key_id)
        if key is None:
            return
        if key.origin == EXTERNAL:
            # Automatic rotation is never available for imported key material, in any state.
            raise UnsupportedOperationException(origin_not_valid(key.arn, EXTERNAL))
        self.sweep()
        if key.key_state == "Disabled":
            raise DisabledException(disabled(key.arn))
        self._refuse_while_deleting(key)
        if key.key_spec != "SYMMETRIC_DEFAULT":
            # AWS: automatic rotation only for symmetric encryption keys (moto allowed any);
            # AWS's message is not recorded.
            raise UnsupportedOperationException(
                f"{key.arn} is a {key.key_spec} key; automatic key rotation is available only "
                "for SYMMETRIC_DEFAULT keys."
            )

    # -- management operations: the table's rows CreateGrant and CreateAlias/TagResource/... --

    def create_grant(self, key_id: str, *args: Any, **kwargs: Any) -> tuple[str, str]:
        """CreateGrant needs a usable key: PendingImport [5], Disabled [1], pending deletion [3]."""
        key = self.known_key(key_id)
        if key is not None:
            self.sweep()
            self.settle_replica_deletion(key)
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
        """Footnote [3] for a key pending deletion; any other state passes."""
        key = self.known_key(key_id)
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
