"""Amazon DynamoDB encryption at rest under a KMS key (``SSESpecification``), and what an
unusable key does to the table.

Where DynamoDB needs a data key: CreateTable with ``SSESpecification`` ``Enabled`` (``SSEType``
KMS; ``KMSMasterKeyId`` any key form, or the AWS managed ``alias/aws/dynamodb``), and UpdateTable
changing the key, call GenerateDataKey for the table key, context
``{"aws:dynamodb:tableName": <name>, "aws:dynamodb:subscriberId": <account>}``. Where it needs it
back: reads and writes of the table; DynamoDB caches the plaintext table key and calls Decrypt
again after five minutes.

The table's state is evaluated lazily on each call on the table, on the mock's clock (no timers):

- key usable: ``ACTIVE``; a table that was inaccessible recovers (reimport of the same material).
- key unusable: ``TableStatus`` ``INACCESSIBLE_ENCRYPTION_CREDENTIALS`` and
  ``SSEDescription.InaccessibleEncryptionDateTime``; reads and writes answer HTTP 400
  ``AccessDeniedException`` "KMS key access denied error: ..." with KMS's reason, as AWS was
  observed answering.
- seven days after that date: archival. ``TableStatus`` ``ARCHIVING`` (for five minutes, a project
  decision), then ``ARCHIVED``, with ``ArchivalSummary`` (reason
  ``INACCESSIBLE_ENCRYPTION_CREDENTIALS``, the archival date, and the ARN of the SYSTEM backup
  DynamoDB makes of the table). An archived table does not come back when the key does. As on
  AWS, ListBackups shows that backup only with ``BackupType`` ``SYSTEM`` or ``ALL``, and
  RestoreTableFromBackup restores it.

Project decisions where AWS is silent: the detection date is when the material's deletion or
expiry was recorded when KMS knows it (otherwise the first call on the table that finds the key
unusable); ``SSEDescription.Status`` stays ``ENABLED`` (AWS documents only ``ENABLED`` and
``UPDATING`` there; the inaccessible state shows in ``TableStatus``); reads and writes of an
archiving or archived table answer ``ResourceNotFoundException`` (as DynamoDB answers for a
table it cannot serve yet); UpdateTable cannot change the key while the old one is unusable (the
table key must be decrypted to re-encrypt it). Backups, restores, exports and streams follow
the key in ``dynamodb_copies``, PartiQL in
``dynamodb_partiql``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from moto.core.exceptions import JsonRESTError
from moto.dynamodb.exceptions import ERROR_TYPE_PREFIX, ResourceNotFoundException
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Backup, Table
from moto.dynamodb.responses import DynamoHandler

from kms_import_mock.kms import clock
from kms_import_mock.kms import events as _events
from kms_import_mock.services import envelope

if TYPE_CHECKING:
    from kms_import_mock.services.patching import Patches

PRINCIPAL = "dynamodb.amazonaws.com"
DEFAULT_ALIAS = "alias/aws/dynamodb"
ARCHIVE_AFTER = _dt.timedelta(days=7)
ARCHIVING_FOR = _dt.timedelta(minutes=5)
TABLE_KEY_CACHE = _dt.timedelta(minutes=5)
ARCHIVAL_REASON = "INACCESSIBLE_ENCRYPTION_CREDENTIALS"
_STATE = "_kms_import_ddb"
#: The attribute of a moto Table (or a backup's copy of it) that holds its :class:`TableKey`.
STATE = _STATE
_UNUSABLE_EVENTS = frozenset({"DeleteImportedKeyMaterial", "DeleteExpiredKeyMaterial"})

ACTIVE, INACCESSIBLE, ARCHIVING, ARCHIVED = (
    "ACTIVE",
    "INACCESSIBLE_ENCRYPTION_CREDENTIALS",
    "ARCHIVING",
    "ARCHIVED",
)


class AccessDeniedException(JsonRESTError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__(ERROR_TYPE_PREFIX + "AccessDeniedException", message)


@dataclass
class TableKey:
    """The table key DynamoDB holds for one table (kept on the table object, gone with it)."""

    key_arn: str
    blob: bytes
    context: dict[str, str]
    confirmed_at: _dt.datetime
    last_ok: _dt.datetime
    inaccessible_since: _dt.datetime | None = None
    refusal: envelope.KmsRefusal | None = None
    archived_at: _dt.datetime | None = None
    backup_arn: str | None = None

    def status(self, now: _dt.datetime) -> str:
        if self.archived_at is not None:
            return ARCHIVING if now < self.archived_at + ARCHIVING_FOR else ARCHIVED
        return INACCESSIBLE if self.inaccessible_since is not None else ACTIVE


def access_denied(err: envelope.KmsRefusal) -> AccessDeniedException:
    """DynamoDB's answer when KMS refuses it the table key (the shape AWS was seen answering)."""
    from moto.moto_api._internal import mock_random

    return AccessDeniedException(
        f"KMS key access denied error: com.amazonaws.services.kms.model.{err.code}: "
        f"{err.message} (Service: AWSKMS; Status Code: 400; Error Code: {err.code}; "
        f"Request ID: {mock_random.uuid4()}; Proxy: null)"
    )


def _context(table: Table) -> dict[str, str]:
    return {"aws:dynamodb:tableName": table.name, "aws:dynamodb:subscriberId": table.account_id}


def new_table_key(table_name: str, account_id: str, region: str, key_id: str | None) -> TableKey:
    """GenerateDataKey for a table's key; a refusal is DynamoDB's AccessDeniedException."""
    context = {"aws:dynamodb:tableName": table_name, "aws:dynamodb:subscriberId": account_id}
    try:
        data_key = envelope.generate_data_key(
            account_id, region, key_id, context, PRINCIPAL, default_alias=DEFAULT_ALIAS
        )
    except envelope.KmsRefusal as err:
        raise access_denied(err) from None
    now = clock.now()
    return TableKey(data_key.key_arn, data_key.ciphertext_blob, context, now, now)


def state_of(table: Table) -> TableKey | None:
    """The table's key state brought up to the mock's now (None: not encrypted under the mock)."""
    state: TableKey | None = table.__dict__.get(_STATE)
    if state is None or state.archived_at is not None:
        return state
    now = clock.now()
    try:
        envelope.check_usable(table.account_id, table.region_name, state.key_arn)
    except envelope.KmsRefusal as err:
        state.refusal = err
        if state.inaccessible_since is None:
            state.inaccessible_since = _detected(table, state, now)
        archive_at = state.inaccessible_since + ARCHIVE_AFTER
        if now >= archive_at:
            state.archived_at = archive_at
            state.backup_arn = _archival_backup(table)
        return state
    state.inaccessible_since = state.refusal = None
    state.last_ok = now
    return state


def _detected(table: Table, state: TableKey, now: _dt.datetime) -> _dt.datetime:
    """When the key became unusable, if KMS recorded it (material deleted or expired since the
    last call that found it usable); otherwise now, the first time the mock sees it."""
    kms = envelope.backend(table.account_id, table.region_name)
    key_id = state.key_arn.rsplit("/", 1)[-1]
    low, high = state.last_ok.timestamp(), now.timestamp()
    found = [
        entry.epoch
        for entry in _events.stored(kms)
        if entry.key_id == key_id
        and entry.event_name in _UNUSABLE_EVENTS
        and entry.ok
        and low <= entry.epoch <= high
    ]
    return _dt.datetime.fromtimestamp(max(found), _dt.timezone.utc) if found else now


def backup_state(state: TableKey) -> TableKey:
    """What a backup keeps of the table key: the key and its blob, none of the table's status
    (a restore decrypts the blob, so it follows the source's key)."""
    now = clock.now()
    return dataclasses.replace(
        state,
        confirmed_at=now,
        last_ok=now,
        inaccessible_since=None,
        refusal=None,
        archived_at=None,
        backup_arn=None,
    )


def _archival_backup(table: Table) -> str:
    """The on-demand backup DynamoDB makes when it archives a table (type SYSTEM)."""
    from moto.dynamodb.models import dynamodb_backends

    ddb = dynamodb_backends[table.account_id][table.region_name]
    state = table.__dict__.pop(_STATE)  # the backup copies the table, not the mock's state
    try:
        name = f"{table.name}-archival"
        backup = Backup(table.account_id, table.region_name, name, table, None, "SYSTEM")
    finally:
        table.__dict__[_STATE] = state
    backup.table.__dict__[_STATE] = backup_state(state)
    ddb.backups[backup.arn] = backup
    return backup.arn


def guard(table: Table) -> None:
    """Refuse a read or write the table cannot serve; otherwise make sure the table key is
    held (Decrypt when the cached plaintext is older than DynamoDB's five minutes)."""
    state = state_of(table)
    if state is None:
        return
    now = clock.now()
    status = state.status(now)
    if status in (ARCHIVING, ARCHIVED):
        raise ResourceNotFoundException(
            f"Requested resource not found: Table: {table.name} is {status.lower()} "
            f"({ARCHIVAL_REASON}); restore it from backup {state.backup_arn}"
        )
    if status == INACCESSIBLE:
        assert state.refusal is not None
        raise access_denied(state.refusal)
    if now - state.confirmed_at >= TABLE_KEY_CACHE:
        try:
            envelope.decrypt(
                table.account_id, table.region_name, state.blob, state.context, PRINCIPAL
            )
        except envelope.KmsRefusal as err:
            raise access_denied(err) from None
        state.confirmed_at = now


def describe_into(table: Table, described: dict[str, Any]) -> None:
    """Add the table's ``SSEDescription``, status and archival summary to its description."""
    state = state_of(table)
    if state is None:
        return
    now = clock.now()
    sse: dict[str, Any] = {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": state.key_arn}
    if state.inaccessible_since is not None:
        sse["InaccessibleEncryptionDateTime"] = state.inaccessible_since
    described["SSEDescription"] = sse
    described["TableStatus"] = state.status(now)
    if state.archived_at is not None:
        described["ArchivalSummary"] = {
            "ArchivalDateTime": state.archived_at,
            "ArchivalReason": ARCHIVAL_REASON,
            "ArchivalBackupArn": state.backup_arn,
        }


# -- which tables a request touches ----------------------------------------------------------


def _single(body: dict[str, Any]) -> Iterable[str]:
    return [body["TableName"]] if isinstance(body.get("TableName"), str) else []


def _batch(body: dict[str, Any]) -> Iterable[str]:
    items = body.get("RequestItems")
    return list(items) if isinstance(items, dict) else []


def _transact(body: dict[str, Any]) -> Iterable[str]:
    names = []
    for item in body.get("TransactItems") or []:
        for part in item.values() if isinstance(item, dict) else []:
            if isinstance(part, dict) and isinstance(part.get("TableName"), str):
                names.append(part["TableName"])
    return names


_DATA_ACTIONS: dict[str, Callable[[dict[str, Any]], Iterable[str]]] = {
    "get_item": _single,
    "put_item": _single,
    "update_item": _single,
    "delete_item": _single,
    "query": _single,
    "scan": _single,
    "batch_get_item": _batch,
    "batch_write_item": _batch,
    "transact_get_items": _transact,
    "transact_write_items": _transact,
}


# -- the wrappers ----------------------------------------------------------------------------


def _wrap_data(
    original: Callable[..., Any], tables: Callable[[dict[str, Any]], Iterable[str]]
) -> Callable[..., Any]:
    def action(self: DynamoHandler) -> Any:
        backend = self.dynamodb_backend
        for name in tables(self.body if isinstance(self.body, dict) else {}):
            try:
                table = backend.get_table(name)
            except ResourceNotFoundException:
                continue  # moto's own answer for an unknown table
            guard(table)
        return original(self)

    return action


def _wrap_create(original: Callable[..., Table]) -> Callable[..., Table]:
    def create_table(self: DynamoDBBackend, name: str, *args: Any, **kwargs: Any) -> Table:
        sse = kwargs.get("sse_specification")
        if name in self.tables or not isinstance(sse, dict) or not wants_kms(sse):
            return original(self, name, *args, **kwargs)
        state = new_table_key(name, self.account_id, self.region_name, sse.get("KMSMasterKeyId"))
        kwargs["sse_specification"] = {**sse, "SSEType": "KMS", "KMSMasterKeyId": state.key_arn}
        table = original(self, name, *args, **kwargs)
        table.__dict__[_STATE] = state
        return table

    return create_table


def _wrap_update(original: Callable[..., Any]) -> Callable[..., Any]:
    def update_table(self: DynamoHandler) -> Any:
        sse = self.body.get("SSESpecification") if isinstance(self.body, dict) else None
        if not isinstance(sse, dict):
            return original(self)
        table = self.dynamodb_backend.get_table(self.body["TableName"])
        before = (table.sse_specification, table.__dict__.get(_STATE))
        state = state_of(table)
        if state is not None and state.status(clock.now()) != ACTIVE:
            guard(table)  # the old table key must be decrypted to re-encrypt it
        if sse.get("Enabled") is False:
            table.sse_specification = None  # back to the AWS owned key
            table.__dict__.pop(_STATE, None)
        elif wants_kms(sse):
            key_id = sse.get("KMSMasterKeyId") or (state.key_arn if state else None)
            new = new_table_key(table.name, table.account_id, table.region_name, key_id)
            table.sse_specification = {
                "Enabled": True,
                "SSEType": "KMS",
                "KMSMasterKeyId": new.key_arn,
            }
            table.__dict__[_STATE] = new
        try:
            return original(self)
        except BaseException:
            table.sse_specification = before[0]
            if before[1] is None:
                table.__dict__.pop(_STATE, None)
            else:
                table.__dict__[_STATE] = before[1]
            raise

    return update_table


def _wrap_describe(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def describe(self: Table, base_key: str = "TableDescription") -> dict[str, Any]:
        result = original(self, base_key)
        describe_into(self, result[base_key])
        return result

    return describe


def _wrap_list_backups(original: Callable[..., Any]) -> Callable[..., Any]:
    """ListBackups lists USER backups unless ``BackupType`` asks for SYSTEM or ALL, as AWS does.

    moto 5.2.6 filters so itself; moto 5.2.4 and 5.2.5 list every backup, which would show the
    SYSTEM archival backup where AWS does not. Filtering again is harmless on 5.2.6.
    """

    def list_backups(self: DynamoHandler) -> Any:
        result = original(self)
        wanted = self.body.get("BackupType") if isinstance(self.body, dict) else None
        types = {"USER", "SYSTEM"} if wanted == "ALL" else {wanted or "USER"}
        listed = getattr(result, "result", None)
        if isinstance(listed, dict) and isinstance(listed.get("BackupSummaries"), list):
            listed["BackupSummaries"] = [
                s for s in listed["BackupSummaries"] if s.get("BackupType", "USER") in types
            ]
        return result

    return list_backups


def _data_wrapper(
    tables: Callable[[dict[str, Any]], Iterable[str]],
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        return _wrap_data(original, tables)

    return wrap


def wants_kms(sse: Any) -> bool:
    return (
        isinstance(sse, dict) and sse.get("Enabled") is True and sse.get("SSEType", "KMS") == "KMS"
    )


def install(patches: Patches) -> None:
    """Wrap moto's DynamoDB table creation, description and data actions; restored on stop."""
    targets: list[tuple[Any, str, Callable[[Any], Callable[..., Any]]]] = [
        (DynamoDBBackend, "create_table", _wrap_create),
        (DynamoHandler, "update_table", _wrap_update),
        (Table, "describe", _wrap_describe),
        (DynamoHandler, "list_backups", _wrap_list_backups),
    ]
    for action, tables in _DATA_ACTIONS.items():
        targets.append((DynamoHandler, action, _data_wrapper(tables)))
    for owner, name, wrap in targets:
        original = patches.original(owner, name)
        wrapper = wrap(original)
        wrapper.__name__ = name
        wrapper.__doc__ = original.__doc__
        patches.set(owner, name, wrapper)
    # Backups, restores, exports, streams and PartiQL: sibling modules the registry installs
    # right after this one (its COMPANIONS).
