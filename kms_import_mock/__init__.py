"""kms-import-mock: AWS KMS imported key material (bring-your-own-key) for moto.

Importing this package changes nothing in moto; :func:`mock_kms_import` installs the extension
on start and removes it on stop.

Only the names in ``__all__`` are public. Everything else is internal and may change: the
top-level ``_``-prefixed modules (the mock, its handle and activation, the helpers, the server and
the command line) and the three layer packages below them, ``services`` (moto's other services
following the key), ``kms`` (the extended KMS backend) and ``crypto`` (pure cryptography), whose
modules carry no underscore because the whole package is internal. Imports point down that list.
"""

from __future__ import annotations

from ._errors import KmsImportMockError
from ._imported import ImportedKey
from ._mock import KmsImportMock, current, mock_kms_import
from .crypto.wrapping import generate_key_material, wrap_key_material

__all__ = [
    "ImportedKey",
    "KmsImportMock",
    "KmsImportMockError",
    "current",
    "generate_key_material",
    "mock_kms_import",
    "wrap_key_material",
]
