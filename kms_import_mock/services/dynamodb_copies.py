"""DynamoDB's copies of a table follow the table's KMS key too: backups, restores, exports and
stream records.

A backup holds the table's data still encrypted under the table key, so CreateBackup works
while the key is unusable (DynamoDB itself backs up an inaccessible table when it archives it)
and the backup keeps the source's KMS key and table key. Restoring (RestoreTableFromBackup,
RestoreTableToPointInTime) must decrypt that table key, so it is refused with
``AccessDeniedException`` while the key is unusable and creates nothing; otherwise the new
table is encrypted under the source's key (or ``SSESpecificationOverride``'s) with a table key
of its own, and follows that key like any table. ExportTableToPointInTime reads the data, so it
is refused like a Scan (nothing reaches S3), and so is DynamoDB Streams GetRecords, whose
records carry item images.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from moto.dynamodb.exceptions import ResourceNotFoundException
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Backup, Table
from moto.dynamodb.responses import DynamoHandler

from kms_import_mock.kms import clock
from kms_import_mock.services import dynamodb as ddb
from kms_import_mock.services import envelope

if TYPE_CHECKING:
    from kms_import_mock.services.patching import Patches


def make_backup(table: Table, make: Callable[[], Backup]) -> Backup:
    """Run moto's backup of ``table`` without deep-copying the mock's state, then give the
    backup its own copy of the table key (a backup keeps the source's key)."""
    state: ddb.TableKey | None = table.__dict__.pop(ddb.STATE, None)
    try:
        backup = make()
    finally:
        if state is not None:
            table.__dict__[ddb.STATE] = state
    if state is not None:
        backup.table.__dict__[ddb.STATE] = ddb.backup_state(state)
    return backup


def _wrap_create_backup(original: Callable[..., Backup]) -> Callable[..., Backup]:
    def create_backup(self: DynamoDBBackend, table_name: str, backup_name: str) -> Backup:
        table = self.tables.get(table_name)
        if table is None:
            return original(self, table_name, backup_name)  # moto's TableNotFoundException
        state = ddb.state_of(table)
        if state is not None and state.status(clock.now()) in (ddb.ARCHIVING, ddb.ARCHIVED):
            ddb.guard(table)  # an archived table has its own backup; it cannot be read again
        return make_backup(table, lambda: original(self, table_name, backup_name))

    return create_backup


def _restored_key(
    backend: DynamoDBBackend, source: ddb.TableKey | None, target: str, override: Any
) -> ddb.TableKey | None:
    """The new table's key: decrypt the source's table key (refused while its key is
    unusable), then a table key for the new table under the source's or the override's key."""
    if source is not None:
        try:
            envelope.decrypt(
                backend.account_id, backend.region_name, source.blob, source.context, ddb.PRINCIPAL
            )
        except envelope.KmsRefusal as err:
            raise ddb.access_denied(err) from None
    if isinstance(override, dict) and "Enabled" in override:
        if not ddb.wants_kms(override):
            return None  # the override asks for the AWS owned key
        key_id = override.get("KMSMasterKeyId") or (source.key_arn if source else None)
    elif source is not None:
        key_id = source.key_arn
    else:
        return None
    return ddb.new_table_key(target, backend.account_id, backend.region_name, key_id)


def _wrap_restore(
    find_source: Callable[[DynamoDBBackend, dict[str, Any]], ddb.TableKey | None],
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def restore(self: DynamoHandler) -> Any:
            body = self.body if isinstance(self.body, dict) else {}
            backend = self.dynamodb_backend
            target = body.get("TargetTableName")
            if not isinstance(target, str) or target in backend.tables:
                return original(self)  # moto's own validation answers
            try:
                source = find_source(backend, body)
            except ResourceNotFoundException:
                return original(self)  # moto's not-found answer for the source
            state = _restored_key(backend, source, target, body.get("SSESpecificationOverride"))
            result = original(self)
            table = backend.tables.get(target)
            if table is not None:
                table.sse_specification = (
                    {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": state.key_arn}
                    if state
                    else None
                )
                table.__dict__.pop(ddb.STATE, None)
                if state is not None:
                    table.__dict__[ddb.STATE] = state
                # The answer was described before the key was attached: add its SSE part.
                answer = getattr(result, "result", None)
                if isinstance(answer, dict) and isinstance(answer.get("TableDescription"), dict):
                    answer["TableDescription"].pop("SSEDescription", None)
                    ddb.describe_into(table, answer["TableDescription"])
            return result

        return restore

    return wrap


def _backup_source(backend: DynamoDBBackend, body: dict[str, Any]) -> ddb.TableKey | None:
    arn = body.get("BackupArn")
    backup = backend.backups.get(arn) if isinstance(arn, str) else None
    if backup is None:
        raise ResourceNotFoundException("backup")
    found: ddb.TableKey | None = backup.table.__dict__.get(ddb.STATE)
    return found


def _table_source(backend: DynamoDBBackend, body: dict[str, Any]) -> ddb.TableKey | None:
    name = body.get("SourceTableName") or body.get("SourceTableArn")
    if not isinstance(name, str):
        raise ResourceNotFoundException("source")
    table = backend.get_table(name)
    state = ddb.state_of(table)
    if state is not None and state.status(clock.now()) in (ddb.ARCHIVING, ddb.ARCHIVED):
        ddb.guard(table)  # nothing to restore from but the archival backup
    return state


def _wrap_export(original: Callable[..., Any]) -> Callable[..., Any]:
    def export_table_to_point_in_time(self: DynamoHandler) -> Any:
        arn = self.body.get("TableArn") if isinstance(self.body, dict) else None
        for table in list(self.dynamodb_backend.tables.values()):
            if table.table_arn == arn:
                ddb.guard(table)  # the export reads every item
        return original(self)

    return export_table_to_point_in_time


def _wrap_get_records(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_records(self: Any) -> Any:
        iterator = self.backend.shard_iterators.get(self._get_param("ShardIterator"))
        table = getattr(getattr(iterator, "stream_shard", None), "table", None)
        if isinstance(table, Table):
            ddb.guard(table)  # stream records carry item images
        return original(self)

    return get_records


def install(patches: Patches) -> None:
    """Wrap moto's backup, restore, export and stream reads; restored on stop."""
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    targets: list[tuple[Any, str, Callable[[Any], Callable[..., Any]]]] = [
        (DynamoDBBackend, "create_backup", _wrap_create_backup),
        (DynamoHandler, "restore_table_from_backup", _wrap_restore(_backup_source)),
        (DynamoHandler, "restore_table_to_point_in_time", _wrap_restore(_table_source)),
        (DynamoHandler, "export_table_to_point_in_time", _wrap_export),
        (DynamoDBStreamsHandler, "get_records", _wrap_get_records),
    ]
    for owner, name, wrap in targets:
        original = patches.original(owner, name)
        wrapper = wrap(original)
        wrapper.__name__ = name
        wrapper.__doc__ = original.__doc__
        patches.set(owner, name, wrapper)
