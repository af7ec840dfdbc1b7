"""kms-import-mock: AWS KMS imported key material (bring-your-own-key) for moto.

Importing this package changes nothing in moto; :func:`mock_kms_import` installs the extension
on start and removes it on stop.
"""

from __future__ import annotations

from ._errors import KmsImportMockError
from ._imported import ImportedKey
from ._mock import KmsImportMock, mock_kms_import
from ._wrapping import generate_key_material, wrap_key_material

__all__ = [
    "ImportedKey",
    "KmsImportMock",
    "KmsImportMockError",
    "generate_key_material",
    "mock_kms_import",
    "wrap_key_material",
]
