"""moto's KMS backend, extended with the import lifecycle of EXTERNAL keys.

``ImportKmsBackend`` is assembled from one mixin per concern, each in its own module; keys of
other origins go to moto's own methods, with AWS's key-state rules, lookups and dates for every
key. ``service.ServedKmsBackend`` adds its URL table and is what ``_activation`` installs as
moto's KMS backend class while a mock is active.
"""

from __future__ import annotations

from .aliases import AliasIndex
from .automatic_rotation import AutomaticRotation
from .base import ImportBackendBase
from .crypto_operations import CryptoOperations
from .import_operations import ImportOperations
from .key_dates import KeyDates
from .key_deletion import KeyDeletion
from .rotation_operations import RotationOperations

__all__ = ["ImportBackendBase", "ImportKmsBackend"]



class ImportKmsBackend(
    ImportOperations,
    AutomaticRotation,
    RotationOperations,
    KeyDeletion,
    CryptoOperations,
    KeyDates,
    AliasIndex,
    ImportBackendBase,
):
    """``KmsBackend`` plus the import lifecycle: GetParametersForImport, ImportKeyMaterial,
    DeleteImportedKeyMaterial, expiry, rotation (on demand and on schedule), replicas, the end
    of a deletion's waiting period and crypto with imported material.

    Its URL table comes with ``service.ServedKmsBackend``, the class moto is given: the HTTP face
    sits above the backend, so the backend does not import it.
    """
