"""Key material for the HMAC/RSA/ECC tests, generated once per test process.

RSA generation is the slow part of these tests (RSA-4096 ≈ 0.4 s), so every spec's private key
is generated once and shared; :func:`small_wrapping_pool` keeps GetParametersForImport from
generating a fresh RSA-4096 wrapping key for each of its first 16 calls.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from kms_import_mock import generate_key_material
from kms_import_mock.crypto import keyspecs as _keyspecs
from kms_import_mock.crypto import wrapping_keys as _wrapping_keys
from kms_import_mock.crypto.wrapping_keys import WrappingKeyPool

HMAC_SPECS = sorted(_keyspecs.HMAC_MIN_BYTES)
RSA_SPECS = sorted(_keyspecs.RSA_BITS)
ECC_SPECS = sorted(_keyspecs.ECC_CURVES)
ASYMMETRIC_SPECS = RSA_SPECS + ECC_SPECS
IMPORTABLE_SPECS = ["SYMMETRIC_DEFAULT", *HMAC_SPECS, *ASYMMETRIC_SPECS]

_POOL = WrappingKeyPool(size=1)


@contextlib.contextmanager
def small_wrapping_pool() -> Iterator[None]:
    """One wrapping key pair per spec while the block runs (these tests are not about slots)."""
    saved = _wrapping_keys.POOL
    _wrapping_keys.POOL = _POOL
    try:
        yield
    finally:
        _wrapping_keys.POOL = saved


def pkcs8(key_spec: str, variant: int = 0) -> bytes:
    """A PKCS#8 DER private key for ``key_spec``; ``variant`` gives a different key."""
    return _generated(key_spec, variant)


@functools.cache
def _generated(key_spec: str, variant: int) -> bytes:
    return generate_key_material(key_spec)


@functools.cache
def private_key(key_spec: str, variant: int = 0) -> Any:
    # Our own freshly generated keys: OpenSSL's prime check (0.4 s for RSA-4096) adds nothing.
    return serialization.load_der_private_key(
        pkcs8(key_spec, variant), password=None, unsafe_skip_rsa_key_validation=True
    )


def der_pkcs8(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def spki(key: Any) -> bytes:
    der: bytes = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return der


# -- a tiny DER/BER writer, to build material the encoders of ``cryptography`` never produce ----


def tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(body)]) + body + content


def integer(value: int) -> bytes:
    return tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big", signed=False))


def sequence(*items: bytes) -> bytes:
    return tlv(0x30, b"".join(items))


def to_ber(der: bytes) -> bytes:
    """Re-encode a PKCS#8 DER key as (still valid) BER: every constructed element gets an
    indefinite length, every primitive a non-minimal 4-octet length, OCTET STRINGs are sent in
    two segments, and the key inside PrivateKeyInfo's privateKey is BER-encoded the same way."""

    def walk(data: bytes, depth: int = 0) -> bytes:
        out = b""
        pos = 0
        while pos < len(data):
            tag = data[pos]
            first = data[pos + 1]
            if first < 0x80:
                length, start = first, pos + 2
            else:
                count = first & 0x7F
                length = int.from_bytes(data[pos + 2 : pos + 2 + count], "big")
                start = pos + 2 + count
            content = data[start : start + length]
            pos = start + length
            if tag & 0x20:
                out += bytes([tag, 0x80]) + walk(content, depth + 1) + b"\x00\x00"
            elif tag == 0x04 and len(content) > 1:
                if depth == 1:  # PrivateKeyInfo.privateKey: an RSAPrivateKey or ECPrivateKey
                    content = walk(content, depth + 1)
                half = len(content) // 2
                segments = b"".join(
                    bytes([0x04, 0x84]) + len(part).to_bytes(4, "big") + part
                    for part in (content[:half], content[half:])
                )
                out += bytes([0x24, 0x80]) + segments + b"\x00\x00"
            else:
                out += bytes([tag, 0x84]) + length.to_bytes(4, "big") + content
        return out

    return walk(der)


@contextlib.contextmanager
def module_mock() -> Iterator[Any]:
    """A mock (with the small wrapping pool) shared by a whole test module.

    The per-test ``kms_import`` fixture costs a mock start and a boto3 client per test; these
    modules run hundreds of independent cases, each on keys of its own.
    """
    from kms_import_mock import mock_kms_import

    with small_wrapping_pool(), mock_kms_import() as mock:
        yield mock
