"""The library's own error: misuse that the mock cannot honour.

AWS-facing errors (named as AWS names them, serialised as AWS does) live with the KMS backend in
``kms.errors``; this one is for the person writing the test, and its message says what to do.
"""

from __future__ import annotations


class KmsImportMockError(Exception):
    """The library was used in a way it cannot honour; the message says what to do instead."""
