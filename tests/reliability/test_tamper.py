"""Tamper resistance of import tokens (issue 8 §2), at backend level for speed.

Every single-bit flip of sample tokens, at every bit position, is refused with
InvalidImportTokenException and changes nothing; so are truncations, extensions, tokens minted
for another account, Region or key, and tokens sealed without the process secret.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from reliability_support import ACCOUNT, COUNTS, REGION, backend, snapshot

from kms_import_mock import mock_kms_import, wrap_key_material
from kms_import_mock.crypto import tokens as _tokens
from kms_import_mock.kms.errors import ExpiredImportTokenException, InvalidImportTokenException

DOES_NOT_EXPIRE = "KEY_MATERIAL_DOES_NOT_EXPIRE"


@dataclasses.dataclass
class Setup:
    mock: Any
    be: Any
    key_id: str
    other_key_id: str
    material: bytes
    tokens: list[tuple[bytes, bytes]]  # (token, wrapped material)


@pytest.fixture
def setup() -> Iterator[Setup]:
    with mock_kms_import() as mock:
        be = backend()
        key = be.create_key(None, "", "SYMMETRIC_DEFAULT", "t", None, origin="EXTERNAL")
        other = be.create_key(None, "", "SYMMETRIC_DEFAULT", "o", None, origin="EXTERNAL")
        material = os.urandom(32)
        tokens = []
        for algorithm in ("RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"):
            _, token, public, _ = be.get_parameters_for_import(key.id, algorithm, "RSA_2048")
            tokens.append((token, wrap_key_material(public, material, algorithm)))
        yield Setup(mock, be, key.id, other.id, material, tokens)


def refused(s: Setup, token: bytes, blob: bytes, key_id: str | None = None) -> None:
    before = snapshot(s.be)
    with pytest.raises(InvalidImportTokenException) as info:
        s.be.import_key_material(key_id or s.key_id, token, blob, expiration_model=DOES_NOT_EXPIRE)
    assert "import token" in info.value.description
    assert snapshot(s.be) == before


def test_every_single_bit_flip_is_refused(setup: Setup) -> None:
    flips = 0
    for token, blob in setup.tokens:
        mutable = bytearray(token)
        for bit in range(len(token) * 8):
            mutable[bit // 8] ^= 1 << (bit % 8)
            refused(setup, bytes(mutable), blob)
            mutable[bit // 8] ^= 1 << (bit % 8)
            flips += 1
        # ...and the untouched token still works, also after all those refusals.
        setup.be.import_key_material(setup.key_id, token, blob, expiration_model=DOES_NOT_EXPIRE)
    COUNTS["token bit flips"] += flips
    assert flips == sum(len(t) * 8 for t, _ in setup.tokens) >= 4000


def test_truncated_and_extended_tokens_are_refused(setup: Setup) -> None:
    token, blob = setup.tokens[0]
    for n in range(1, len(token)):
        refused(setup, token[:n], blob)
        refused(setup, token[n:], blob)
    for extra in (b"\x00", b"\x01" * 16, token):
        refused(setup, token + extra, blob)
    COUNTS["token truncations"] += 2 * (len(token) - 1) + 3


def test_token_of_another_key_is_refused(setup: Setup) -> None:
    token, blob = setup.tokens[0]
    refused(setup, token, blob, key_id=setup.other_key_id)


def _claims(token: bytes) -> _tokens.TokenClaims:
    return _tokens.open_token(token)


@pytest.mark.parametrize(
    "change",
    [{"account_id": "210987654321"}, {"region": "eu-west-1"}, {"key_id": "not-this-key"}],
    ids=["account", "region", "key"],
)
def test_token_minted_for_another_account_region_or_key_is_refused(
    setup: Setup, change: dict[str, str]
) -> None:
    token, blob = setup.tokens[0]
    # A genuine token of this process (same secret), but bound to another account/Region/key.
    foreign = _tokens.seal(dataclasses.replace(_claims(token), **change))
    refused(setup, foreign, blob)


def test_token_from_another_region_backend_is_refused(setup: Setup) -> None:
    eu = backend(ACCOUNT, "eu-west-1")
    key = eu.create_key(None, "", "SYMMETRIC_DEFAULT", "", None, origin="EXTERNAL")
    _, token, public, _ = eu.get_parameters_for_import(key.id, "RSAES_OAEP_SHA_256", "RSA_2048")
    refused(setup, token, wrap_key_material(public, setup.material, "RSAES_OAEP_SHA_256"))
    assert backend(ACCOUNT, REGION) is setup.be


def test_tokens_cannot_be_forged_without_the_process_secret(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    token, blob = setup.tokens[0]
    claims = _claims(token)
    # 1. Sealed exactly as the mock seals, but under another secret.
    monkeypatch.setattr(_tokens, "_secret", AESGCM.generate_key(bit_length=256))
    forged = _tokens.seal(claims)
    monkeypatch.undo()
    refused(setup, forged, blob)
    # 2. Hand-made: the right layout and claims, a random key, with and without the AAD.
    payload = json.dumps(dataclasses.asdict(claims), separators=(",", ":")).encode()
    for aad in (b"kms-import-mock/import-token/v1", None):
        nonce = os.urandom(12)
        sealed = AESGCM(AESGCM.generate_key(bit_length=256)).encrypt(nonce, payload, aad)
        refused(setup, b"\x01" + nonce + sealed, blob)
    # 3. The claims in the clear, and a token of the wrong version.
    refused(setup, payload, blob)
    refused(setup, b"\x02" + token[1:], blob)
    # The genuine token still works.
    setup.be.import_key_material(setup.key_id, token, blob, expiration_model=DOES_NOT_EXPIRE)


def test_expired_token_is_refused_and_changes_nothing(setup: Setup) -> None:
    token, blob = setup.tokens[0]
    setup.mock.advance(dt.timedelta(hours=24))
    before = snapshot(setup.be)
    with pytest.raises(ExpiredImportTokenException):
        setup.be.import_key_material(setup.key_id, token, blob, expiration_model=DOES_NOT_EXPIRE)
    assert snapshot(setup.be) == before
