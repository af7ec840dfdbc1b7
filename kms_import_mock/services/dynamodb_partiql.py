"""DynamoDB's PartiQL statements follow the table's KMS key as the item actions do.

ExecuteStatement (SELECT, INSERT, UPDATE, DELETE) and ExecuteTransaction on a table whose key is
unusable are refused as a whole with the ``AccessDeniedException`` GetItem and PutItem answer
(ResourceNotFoundException once the table is archived), before any statement runs, so a
transaction never half-applies. BatchExecuteStatement answers per statement, as its model
does: a refused statement gets ``Responses[i].Error`` with code ``AccessDenied`` (a value of the
model's ``BatchStatementErrorCodeEnum``) and KMS's reason, and is not run; the others run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from moto.core.exceptions import JsonRESTError
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.responses import DynamoHandler

from kms_import_mock.services import dynamodb as ddb

if TYPE_CHECKING:
    from kms_import_mock.services.patching import Patches

#: The table a statement names: after FROM (SELECT, DELETE), INTO (INSERT) or UPDATE; a quoted
#: name, or a bare one (``t.index`` names the table ``t``).
_TABLE = re.compile(
    r"""^\s*(?:SELECT\b.*?\bFROM|INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:"([^"]+)"|([\w.\-]+))""",
    re.IGNORECASE | re.DOTALL,
)


def table_of(statement: Any) -> str | None:
    """The table a PartiQL statement reads or writes; None when it names none we can tell."""
    if not isinstance(statement, str):
        return None
    found = _TABLE.match(statement)
    if found is None:
        return None
    return found.group(1) or found.group(2).split(".", 1)[0]


def _guard_all(backend: DynamoDBBackend, statements: Iterable[Any]) -> None:
    for statement in statements:
        name = table_of(statement)
        table = backend.tables.get(name) if name else None
        if table is not None:
            ddb.guard(table)


def _statements(body: Any, key: str) -> list[Any]:
    listed = body.get(key) if isinstance(body, dict) else None
    return [s.get("Statement") for s in listed if isinstance(s, dict)] if isinstance(
        listed, list
    ) else []


def _wrap_execute_statement(original: Callable[..., Any]) -> Callable[..., Any]:
    def execute_statement(self: DynamoHandler) -> Any:
        body = self.body if isinstance(self.body, dict) else {}
        _guard_all(self.dynamodb_backend, [body.get("Statement")])
        return original(self)

    return execute_statement


def _wrap_execute_transaction(original: Callable[..., Any]) -> Callable[..., Any]:
    def execute_transaction(self: DynamoHandler) -> Any:
        _guard_all(self.dynamodb_backend, _statements(self.body, "TransactStatements"))
        return original(self)

    return execute_transaction


def _wrap_batch(original: Callable[..., list[dict[str, Any]]]) -> Callable[..., Any]:
    def batch_execute_statement(
        self: DynamoDBBackend, statements: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        refused: dict[int, dict[str, Any]] = {}
        for index, statement in enumerate(statements):
            try:
                _guard_all(self, [statement.get("Statement")])
            except JsonRESTError as err:
                code = "AccessDenied" if "AccessDenied" in err.error_type else "ResourceNotFound"
                error = {"Code": code, "Message": err.message}
                refused[index] = {"TableName": table_of(statement.get("Statement")), "Error": error}
        ran = iter(original(self, [s for i, s in enumerate(statements) if i not in refused]))
        return [refused[i] if i in refused else next(ran) for i in range(len(statements))]

    return batch_execute_statement


def install(patches: Patches) -> None:
    """Wrap moto's PartiQL actions; restored on stop."""
    targets: list[tuple[Any, str, Callable[[Any], Callable[..., Any]]]] = [
        (DynamoHandler, "execute_statement", _wrap_execute_statement),
        (DynamoHandler, "execute_transaction", _wrap_execute_transaction),
        (DynamoDBBackend, "batch_execute_statement", _wrap_batch),
    ]
    for owner, name, wrap in targets:
        original = patches.original(owner, name)
        wrapper = wrap(original)
        wrapper.__name__ = name
        wrapper.__doc__ = original.__doc__
        patches.set(owner, name, wrapper)
