"""Shared pieces of the reliability suite: profiles, invariants, state snapshots."""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, settings

ACCOUNT = "123456789012"
REGION = "us-east-1"

#: cases run per test name, reported at the end of the session
COUNTS: Counter[str] = Counter()

_HEALTH = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large]
settings.register_profile(
    "small", max_examples=40, deadline=None, suppress_health_check=_HEALTH, derandomize=False
)
#: make fuzz: 10 in-process fuzz tests x 1,750-5,250 + raw HTTP 4,200 + 1,750 > 20,000 cases
settings.register_profile(
    "fuzz", max_examples=3500, deadline=None, suppress_health_check=_HEALTH, print_blob=True
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "small")
if PROFILE not in ("small", "fuzz"):
    PROFILE = "small"


def fuzz_settings(scale: float = 1.0) -> settings:
    """The selected profile, with ``max_examples`` scaled for tests that cost more per case."""
    base = settings.get_profile(PROFILE)
    return settings(base, max_examples=max(10, int(base.max_examples * scale)))


#: Error codes a KMS client may legitimately see from this mock (AWS's KMS error shapes, plus
#: the protocol-level ones).
KNOWN_CODES = frozenset(
    {
        "AccessDeniedException",
        "AlreadyExistsException",
        "DependencyTimeoutException",
        "DisabledException",
        "ExpiredImportTokenException",
        "IncorrectKeyException",
        "IncorrectKeyMaterialException",
        "InvalidAliasNameException",
        "InvalidArnException",
        "InvalidCiphertextException",
        "InvalidGrantIdException",
        "InvalidGrantTokenException",
        "InvalidImportTokenException",
        "InvalidKeyUsageException",
        "InvalidMarkerException",
        "KMSInvalidMacException",
        "KMSInvalidSignatureException",
        "KMSInvalidStateException",
        "LimitExceededException",
        "MalformedPolicyDocumentException",
        "NotFoundException",
        "SerializationException",
        "TagException",
        "UnsupportedOperationException",
        "ValidationException",
    }
)

#: Error codes of CloudTrail's LookupEvents (botocore's cloudtrail model), plus the protocol-level
#: ones a JSON service answers for wrong types and missing members.
CLOUDTRAIL_CODES = frozenset(
    {
        "InvalidEventCategoryException",
        "InvalidLookupAttributesException",
        "InvalidMaxResultsException",
        "InvalidNextTokenException",
        "InvalidTimeRangeException",
        "SerializationException",
        "ValidationException",
    }
)

_UNREADABLE = re.compile(
    r"Traceback|NotImplementedError|File \"|object at 0x|<class '|(?<!['\w])b'|(?<![\"\w])b\"|"
    r"Error\(|KeyError|TypeError|AttributeError|IndexError|\\x[0-9a-f]{2}"
)


def check_error(
    code: str, message: str, status: int, sent: Any = (), known: frozenset[str] = KNOWN_CODES
) -> None:
    """The invariant for a refused request: HTTP 400, a known code, a readable message.

    ``sent`` are the request's values: AWS echoes a refused value in the message, so they are
    taken out before looking for Python reprs and tracebacks.
    """
    assert status == 400, (status, code, message)
    assert code in known, (code, message)
    stripped = message
    for value in sorted((v for v in sent if isinstance(v, str) and v), key=len, reverse=True):
        stripped = stripped.replace(value, "")
    assert not _UNREADABLE.search(stripped), (code, message)
    assert len(message) < 16384, (code, len(message))


def backend(account: str = ACCOUNT, region: str = REGION) -> Any:
    from moto.kms.models import kms_backends

    return kms_backends[account][region]


def _digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def snapshot(be: Any) -> dict[str, Any]:
    """Everything a refused request must leave unchanged: keys, states, materials, expiry."""
    keys = {}
    for key_id, key in be.keys.items():
        keys[key_id] = (
            key.key_state,
            key.enabled,
            key.description,
            key.deletion_date,
            key.key_spec,
            key.origin,
            getattr(key, "key_rotation_status", None),
        )
    imports = {}
    for key_id, state in be.imports.items():
        imports[key_id] = (
            state.current_material_id,
            state.on_demand_rotations,
            tuple(
                (
                    m.material_id,
                    m.state,
                    _digest(m.material.canonical if m.material else None),
                    m.expiration_model,
                    m.valid_to,
                    m.description,
                    m.rotation_date,
                    m.rotation_type,
                )
                for m in state.materials
            ),
        )
    events = getattr(be, "events", None)
    return {
        "keys": keys,
        "imports": imports,
        "events": len(events) if events is not None else None,
    }
