"""What the audit trail needs of a KMS backend.

The events module records and reads the events of the mock's backends, and the backend records
its service events there: naming the backend's class in the events module would make the two
import each other. The trail asks for this much instead, and the backend has it.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from moto.kms.models import Key

    from .state import KeyImport


@runtime_checkable
class AuditedBackend(Protocol):
    """A KMS backend of the mock (one account and Region), as the audit trail sees it."""

    @property
    def account_id(self) -> str: ...

    @property
    def region_name(self) -> str: ...

    @property
    def lock(self) -> AbstractContextManager[Any]:
        """Held while events are stored or read, as for any change of the backend's keys."""

    @property
    def keys(self) -> dict[str, Key]: ...

    @property
    def imports(self) -> dict[str, KeyImport]:
        """The import state of each key with imported material, by key ID."""

    def any_id_to_key_id(self, key_id: str) -> str: ...

    def sweep(self) -> None:
        """Delete material past its ValidTo, so that a read shows its expiry event."""
