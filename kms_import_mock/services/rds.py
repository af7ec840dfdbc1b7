"""Amazon RDS and Aurora storage encryption under a KMS key, and what an unusable key does.

Where RDS needs the key: CreateDBInstance with ``StorageEncrypted`` and CreateDBCluster with
``StorageEncrypted`` or ``KmsKeyId`` (the request's key, else the AWS managed ``alias/aws/rds``)
call GenerateDataKey for the storage's data key, context ``{"aws:rds:db-id": <resource id>}``.
Where it needs it back: StartDBInstance, StartDBCluster and RebootDBInstance decrypt it;
RestoreDBInstanceFromDBSnapshot, RestoreDBClusterFromSnapshot, CopyDBSnapshot and
CopyDBClusterSnapshot decrypt the snapshot's and make one under the target key;
RestoreDBInstanceToPointInTime and RestoreDBClusterToPointInTime decrypt the source's, and the
new resource gets a data key of its own (a cluster's under the request's ``KmsKeyId`` when it
names one). Any of these under an unusable key answers HTTP 400 ``KMSKeyNotAccessibleFault``
and creates or changes nothing.

A running (``available``) instance or cluster holds its data key, so it notices an unusable key
only later. Its state is evaluated lazily whenever moto reads its status, on the mock's clock:

- five minutes after the key became unusable (the date KMS recorded for a deleted or expired
  material, else the first look that finds the key unusable): status
  ``inaccessible-encryption-credentials-recoverable``. Making the key usable again and calling
  StartDBInstance / StartDBCluster brings it back to ``available``.
- seven days after that, unless started again: the terminal ``inaccessible-encryption-credentials``.
  StartDBInstance then answers ``InvalidDBInstanceState`` (StartDBCluster
  ``InvalidDBClusterStateFault``) whatever the key's state; only a restore (from a snapshot or
  to a point in time), with the key usable, gives the data back (as a new instance or cluster).

A stopped instance or cluster holds no key and stays ``stopped``; its Start is refused while the
key is unusable. Instances of an Aurora cluster follow the cluster's key: they show the
cluster's inaccessible status, and a reboot of one needs the cluster's key.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kms_import_mock.kms import clock
from kms_import_mock.kms import events as _events
from kms_import_mock.services import envelope
from kms_import_mock.services.patching import Patches

PRINCIPAL = "rds.amazonaws.com"
DEFAULT_ALIAS = "alias/aws/rds"
NOTICE_AFTER = _dt.timedelta(minutes=5)
TERMINAL_AFTER = _dt.timedelta(days=7)
RECOVERABLE = "inaccessible-encryption-credentials-recoverable"
TERMINAL = "inaccessible-encryption-credentials"
#: Attribute names kept on moto's objects (without a leading underscore: moto's restore copies
#: ``__dict__`` with underscores stripped, and the create wrapper drops these again).
STATE = "kms_import_rds"
SEALED = "kms_import_rds_sealed"
_MOTO_PLACEHOLDER = "default_kms_key_id"  # moto's KmsKeyId when none was given
_UNUSABLE_EVENTS = frozenset({"DeleteImportedKeyMaterial", "DeleteExpiredKeyMaterial"})


@dataclass
class StorageKey:
    """The data key RDS holds for one instance or cluster, and what it has noticed."""

    sealed: envelope.Sealed
    last_ok: _dt.datetime
    unusable_since: _dt.datetime | None = None
    recoverable_at: _dt.datetime | None = None

    def inaccessible(self, now: _dt.datetime) -> str | None:
        if self.recoverable_at is None:
            return None
        return TERMINAL if now >= self.recoverable_at + TERMINAL_AFTER else RECOVERABLE


# -- errors ----------------------------------------------------------------------------------


def _error(code: str, message: str) -> Exception:
    from moto.rds.exceptions import RDSClientError

    return RDSClientError(code, message)


def key_not_accessible(key_ref: str, refusal: envelope.KmsRefusal) -> Exception:
    """RDS's answer when KMS refuses it the key (code and text as RDS words it), KMS's reason
    appended so a test can tell a disabled key from deleted material."""
    return _error(
        "KMSKeyNotAccessibleFault",
        f"Specified KMS key [{key_ref}] does not exist, is not enabled or you do not have "
        f"permissions to access it. ({refusal.code}: {refusal.message})",
    )


# -- the lazy state --------------------------------------------------------------------------


def state_of(resource: Any) -> StorageKey | None:
    state: StorageKey | None = resource.__dict__.get(STATE)
    return state


def refreshed_status(resource: Any, base: str) -> str:
    """``base`` (moto's status) as RDS would show it now, given the key's state."""
    state = state_of(resource)
    if state is None:
        return base
    now = clock.now()
    shown = state.inaccessible(now)
    if shown is not None:
        return shown
    if base != "available":
        return base  # only a running resource holds (and misses) its data key
    sealed = state.sealed
    try:
        envelope.check_usable(sealed.account_id, sealed.region, sealed.key_arn)
    except envelope.KmsRefusal:
        if state.unusable_since is None:
            state.unusable_since = _detected(state, now)
        if now >= state.unusable_since + NOTICE_AFTER:
            state.recoverable_at = state.unusable_since + NOTICE_AFTER
            return state.inaccessible(now) or base
        return base
    state.unusable_since = None
    state.last_ok = now
    return base


def _detected(state: StorageKey, now: _dt.datetime) -> _dt.datetime:
    """When KMS recorded the material's deletion or expiry since the last good look, else now."""
    sealed = state.sealed
    kms = envelope.backend(sealed.account_id, sealed.region)
    key_id = sealed.key_arn.rsplit("/", 1)[-1]
    low, high = state.last_ok.timestamp(), now.timestamp()
    found = [
        entry.epoch
        for entry in _events.stored(kms)
        if entry.key_id == key_id
        and entry.record.get("eventName") in _UNUSABLE_EVENTS
        and low <= entry.epoch <= high
    ]
    return _dt.datetime.fromtimestamp(max(found), _dt.timezone.utc) if found else now


class _InstanceStatus:
    """moto keeps a DB instance's status in its ``__dict__``; reading it goes through the key."""

    def __get__(self, database: Any, owner: Any = None) -> Any:
        if database is None:
            return self
        base = database.__dict__.get("status", "available")
        cluster = database.__dict__.get("cluster")  # an Aurora instance: its cluster's key
        if cluster is not None and STATE in cluster.__dict__:
            shown = refreshed_status(cluster, cluster.__dict__.get("_status", "available"))
            return shown if shown in (RECOVERABLE, TERMINAL) else base
        return refreshed_status(database, base)

    def __set__(self, database: Any, value: str) -> None:
        database.__dict__["status"] = value


def _cluster_status(original: Any) -> property:
    def status(cluster: Any) -> str:
        return refreshed_status(cluster, original.fget(cluster))

    return property(status, original.fset)


# -- where RDS needs a data key --------------------------------------------------------------


def _usable_arn(backend: Any, key_id: str | None) -> str:
    """The ARN of the key a new resource is encrypted under; KMSKeyNotAccessibleFault if KMS
    would refuse it (nothing created yet)."""
    ref = None if key_id in (None, "", _MOTO_PLACEHOLDER) else key_id
    try:
        key = envelope.usable_key(backend.account_id, backend.region_name, ref, DEFAULT_ALIAS)
    except envelope.KmsRefusal as refusal:
        raise key_not_accessible(ref or DEFAULT_ALIAS, refusal) from None
    return str(key.arn)


def _seal(backend: Any, key_arn: str, resource_id: str) -> envelope.Sealed:
    try:
        return envelope.seal_data_key(
            backend.account_id,
            backend.region_name,
            key_arn,
            {"aws:rds:db-id": resource_id},
            PRINCIPAL,
        )
    except envelope.KmsRefusal as refusal:
        raise key_not_accessible(key_arn, refusal) from None


def _unseal(sealed: envelope.Sealed) -> None:
    try:
        envelope.unseal(sealed, PRINCIPAL)
    except envelope.KmsRefusal as refusal:
        raise key_not_accessible(sealed.key_arn, refusal) from None


def _drop_copied_state(kwargs: Any) -> None:
    """moto's restores build the new resource from the old one's ``__dict__``: not its key."""
    for name in (STATE, SEALED, "_" + STATE):
        if name in kwargs:
            kwargs.pop(name)


def _create_db_instance(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_db_instance(self: Any, db_kwargs: Any) -> Any:
        _drop_copied_state(db_kwargs)
        if db_kwargs.get("db_cluster_identifier") or not db_kwargs.get("storage_encrypted"):
            return original(self, db_kwargs)
        key_arn = _usable_arn(self, db_kwargs.get("kms_key_id"))
        db_kwargs["kms_key_id"] = key_arn
        database = original(self, db_kwargs)
        _keep(self, database, key_arn, database.dbi_resource_id, self.databases)
        return database

    return create_db_instance


def _create_db_cluster(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_db_cluster(self: Any, kwargs: Any) -> Any:
        _drop_copied_state(kwargs)
        requested = kwargs.get("kms_key_id")
        wanted = requested not in (None, "", _MOTO_PLACEHOLDER)
        if not (kwargs.get("storage_encrypted") or wanted):
            return original(self, kwargs)
        key_arn = _usable_arn(self, requested)
        kwargs["kms_key_id"], kwargs["storage_encrypted"] = key_arn, True
        cluster = original(self, kwargs)
        _keep(self, cluster, key_arn, cluster.db_cluster_resource_id, self.clusters)
        return cluster

    return create_db_cluster


def _create_read_replica(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_db_instance_read_replica(self: Any, db_kwargs: Any) -> Any:
        replica = original(self, db_kwargs)
        state = state_of(replica)
        if state is not None:
            # moto copies the primary object: the replica gets its own view of the same key.
            replica.__dict__[STATE] = dataclasses.replace(state)
        return replica

    return create_db_instance_read_replica


def _keep(backend: Any, resource: Any, key_arn: str, resource_id: str, store: Any) -> None:
    try:
        sealed = _seal(backend, key_arn, resource_id)
    except Exception:
        # Checked usable a moment ago; should KMS still refuse, nothing stays created.
        for name, value in list(store.items()):
            if value is resource:
                del store[name]
        raise
    resource.__dict__[STATE] = StorageKey(sealed, clock.now())


# -- where RDS needs it back -----------------------------------------------------------------


def _start_db_instance(original: Callable[..., Any]) -> Callable[..., Any]:
    def start_db_instance(self: Any, db_instance_identifier: str) -> Any:
        database = self.databases.get(db_instance_identifier)
        state = state_of(database) if database is not None else None
        if state is None:
            return original(self, db_instance_identifier)
        status = database.status
        if status == TERMINAL:
            raise _error(
                "InvalidDBInstanceState",
                f"DB instance {db_instance_identifier} is in the {TERMINAL} state and cannot be "
                "started; restore it from a snapshot with its KMS key usable.",
            )
        if status not in ("stopped", RECOVERABLE):
            return original(self, db_instance_identifier)  # moto's own refusal
        _unseal(state.sealed)
        _recovered(state)
        database.status = "available"
        return database

    return start_db_instance


def _start_db_cluster(original: Callable[..., Any]) -> Callable[..., Any]:
    def start_db_cluster(self: Any, cluster_identifier: str) -> Any:
        cluster = self.clusters.get(cluster_identifier)
        state = state_of(cluster) if cluster is not None else None
        if state is None:
            return original(self, cluster_identifier=cluster_identifier)
        status = cluster.status
        if status == TERMINAL:
            raise _error(
                "InvalidDBClusterStateFault",
                f"DbCluster {cluster_identifier} is in the {TERMINAL} state and cannot be "
                "started; restore it from a snapshot with its KMS key usable.",
            )
        if status not in ("stopped", RECOVERABLE):
            return original(self, cluster_identifier=cluster_identifier)
        _unseal(state.sealed)
        _recovered(state)
        cluster.status = "available"
        return cluster

    return start_db_cluster


def _recovered(state: StorageKey) -> None:
    state.unusable_since = state.recoverable_at = None
    state.last_ok = clock.now()


def _reboot_db_instance(original: Callable[..., Any]) -> Callable[..., Any]:
    def reboot_db_instance(self: Any, db_instance_identifier: str) -> Any:
        database = self.databases.get(db_instance_identifier)
        owner = database.__dict__.get("cluster", database) if database is not None else None
        state = state_of(owner) if owner is not None else None
        if state is not None:
            status = database.status
            if status in (RECOVERABLE, TERMINAL):
                raise _error(
                    "InvalidDBInstanceState",
                    f"DB instance {db_instance_identifier} is in the {status} state; "
                    "it cannot be rebooted.",
                )
            if status == "available":
                _unseal(state.sealed)  # the restarted engine asks for its data key again
        return original(self, db_instance_identifier)

    return reboot_db_instance


def snapshot_sealed(snapshot: Any, owner: Any) -> envelope.Sealed | None:
    """The data key a snapshot was taken under: its own (a copy to another key), else its
    instance's or cluster's when the snapshot is under the same key."""
    own: envelope.Sealed | None = snapshot.__dict__.get(SEALED)
    if own is not None:
        return own
    state = state_of(owner) if owner is not None else None
    if state is not None and getattr(snapshot, "kms_key_id", None) == state.sealed.key_arn:
        return state.sealed
    return None


def _restore_db_instance(original: Callable[..., Any]) -> Callable[..., Any]:
    def restore_db_instance_from_db_snapshot(
        self: Any, from_snapshot_id: str, overrides: Any
    ) -> Any:
        snapshot = _find(self.database_snapshots, from_snapshot_id)
        sealed = snapshot_sealed(snapshot, snapshot.database) if snapshot is not None else None
        if sealed is not None:
            _unseal(sealed)  # the restore keeps the snapshot's key (the request names none)
        return original(self, from_snapshot_id, overrides)

    return restore_db_instance_from_db_snapshot


def _restore_db_cluster(original: Callable[..., Any]) -> Callable[..., Any]:
    def restore_db_cluster_from_snapshot(self: Any, from_snapshot_id: str, overrides: Any) -> Any:
        snapshot = _find(self.cluster_snapshots, from_snapshot_id)
        sealed = snapshot_sealed(snapshot, snapshot.cluster) if snapshot is not None else None
        if sealed is not None:
            _unseal(sealed)
        return original(self, from_snapshot_id, overrides)

    return restore_db_cluster_from_snapshot


def _restore_db_instance_to_point_in_time(original: Callable[..., Any]) -> Callable[..., Any]:
    def restore_db_instance_to_point_in_time(
        self: Any, source_db_identifier: str, target_db_identifier: str, overrides: Any
    ) -> Any:
        source = self.databases.get(source_db_identifier)
        state = state_of(source) if source is not None else None
        if state is not None:
            _unseal(state.sealed)  # the source's backups; the new instance gets its own data key
        return original(self, source_db_identifier, target_db_identifier, overrides)

    return restore_db_instance_to_point_in_time


def _restore_db_cluster_to_point_in_time(original: Callable[..., Any]) -> Callable[..., Any]:
    def restore_db_cluster_to_point_in_time(self: Any, *args: Any, **kwargs: Any) -> Any:
        name = kwargs.get("source_db_cluster_identifier", args[1] if len(args) > 1 else None)
        source = self.clusters.get(name) if name is not None else None
        state = state_of(source) if source is not None else None
        if state is not None:
            # Decrypted under the source's key even when the request names another one
            # (``KmsKeyId``), which the create path then checks and seals under.
            _unseal(state.sealed)
        return original(self, *args, **kwargs)

    return restore_db_cluster_to_point_in_time


def _copy_db_snapshot(original: Callable[..., Any]) -> Callable[..., Any]:
    def copy_db_snapshot(
        self: Any,
        source_db_snapshot_identifier: str,
        target_db_snapshot_identifier: str,
        kms_key_id: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        source = _find(self.database_snapshots, source_db_snapshot_identifier)
        sealed = snapshot_sealed(source, source.database) if source is not None else None
        target = None
        if sealed is not None:
            _unseal(sealed)  # the copy is made from the decrypted snapshot
            target = _usable_arn(self, kms_key_id) if kms_key_id else sealed.key_arn
        copied = original(
            self,
            source_db_snapshot_identifier,
            target_db_snapshot_identifier,
            target or kms_key_id,
            *args,
            **kwargs,
        )
        if sealed is not None and target is not None and target != sealed.key_arn:
            try:
                copied.__dict__[SEALED] = _seal(self, target, copied.db_snapshot_identifier)
            except Exception:
                self.database_snapshots.pop(target_db_snapshot_identifier, None)
                raise
        return copied

    return copy_db_snapshot


def _copy_db_cluster_snapshot(original: Callable[..., Any]) -> Callable[..., Any]:
    def copy_db_cluster_snapshot(
        self: Any,
        source_db_cluster_snapshot_identifier: str,
        target_db_cluster_snapshot_identifier: str,
        kms_key_id: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        source = _find(self.cluster_snapshots, source_db_cluster_snapshot_identifier)
        sealed = snapshot_sealed(source, source.cluster) if source is not None else None
        target = None
        if sealed is not None:
            _unseal(sealed)
            target = _usable_arn(self, kms_key_id) if kms_key_id else sealed.key_arn
        copied = original(
            self,
            source_db_cluster_snapshot_identifier,
            target_db_cluster_snapshot_identifier,
            target or kms_key_id,
            *args,
            **kwargs,
        )
        if sealed is not None and target is not None and target != sealed.key_arn:
            try:
                copied.__dict__[SEALED] = _seal(self, target, copied.db_cluster_snapshot_identifier)
            except Exception:
                self.cluster_snapshots.pop(target_db_cluster_snapshot_identifier, None)
                raise
        return copied

    return copy_db_cluster_snapshot


def _find(snapshots: Any, identifier: str) -> Any:
    name = identifier.rsplit(":", 1)[-1] if identifier.startswith("arn:") else identifier
    return snapshots.get(name)


def install(patches: Patches) -> None:
    """Wrap moto's RDS backend where it needs the key, and the status reads; restored on stop."""
    from moto.rds.models import DBCluster, DBInstance, RDSBackend

    for name, wrap in (
        ("create_db_instance", _create_db_instance),
        ("create_db_cluster", _create_db_cluster),
        ("create_db_instance_read_replica", _create_read_replica),
        ("start_db_instance", _start_db_instance),
        ("start_db_cluster", _start_db_cluster),
        ("reboot_db_instance", _reboot_db_instance),
        ("restore_db_instance_from_db_snapshot", _restore_db_instance),
        ("restore_db_cluster_from_snapshot", _restore_db_cluster),
        ("restore_db_instance_to_point_in_time", _restore_db_instance_to_point_in_time),
        ("restore_db_cluster_to_point_in_time", _restore_db_cluster_to_point_in_time),
        ("copy_db_snapshot", _copy_db_snapshot),
        ("copy_db_cluster_snapshot", _copy_db_cluster_snapshot),
    ):
        original = patches.original(RDSBackend, name)
        wrapper = wrap(original)
        wrapper.__name__, wrapper.__doc__ = name, original.__doc__
        patches.set(RDSBackend, name, wrapper)
    patches.set(DBInstance, "status", _InstanceStatus())
    patches.set(DBCluster, "status", _cluster_status(patches.original(DBCluster, "status")))
