"""moto's KMS backend, extended with the import lifecycle of EXTERNAL keys.

``ImportKmsBackend`` is what ``_activation`` installs as moto's KMS backend class while a mock is
active. It is assembled from one mixin per concern, each in its own module; keys of other origins
go to moto's own methods, with AWS's key-state rules, lookups and dates for every key.
"""

from __future__ import annotations

import functools
from types import ModuleType

from .aliases import AliasIndex
from .base import ImportBackendBase
from .crypto_operations import CryptoOperations
from .import_operations import ImportOperations
from .key_dates import KeyDates
from .key_state_rules import KeyStateRules
from .rotation_operations import RotationOperations

__all__ = ["ImportBackendBase", "ImportKmsBackend"]


@functools.cache
def _urls_module() -> ModuleType:
    # Imported late (``urls`` imports the Response, which imports this module) and once:
    # moto asks for the URL table twice per request.
    from . import urls

    return urls


class ImportKmsBackend(
    ImportOperations,
    RotationOperations,
    KeyStateRules,
    CryptoOperations,
    KeyDates,
    AliasIndex,
    ImportBackendBase,
):
    """``KmsBackend`` plus the import lifecycle: GetParametersForImport, ImportKeyMaterial,
    DeleteImportedKeyMaterial, expiry, rotation, replicas and crypto with imported material."""

    @property
    def _url_module(self) -> ModuleType:
        # moto derives this from the module name, which only works for a ``models.py``.
        return _urls_module()
