"""The ciphertext blob of EXTERNAL symmetric keys.

Like real KMS, the blob names the key material that encrypted it, so Decrypt picks that material
even after rotations. The format is the mock's own (AES-256-GCM; the key ID, material ID and
encryption context are authenticated) and starts with a NUL byte, which a moto blob (it starts
with the key ID in ASCII) never does.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"\x00KIM\x01"
_IV = 12
_MID = 32


@dataclass(frozen=True)
class Header:
    key_id: str
    material_id: str
    header_len: int


def _aad(header: bytes, context: dict[str, str]) -> bytes:
    return header + json.dumps(sorted(context.items()), separators=(",", ":")).encode()


def seal(
    key_id: str, material_id: str, material: bytes, plaintext: bytes, context: dict[str, str]
) -> bytes:
    kid = key_id.encode()
    header = MAGIC + bytes([len(kid)]) + kid + bytes.fromhex(material_id)
    iv = os.urandom(_IV)
    return header + iv + AESGCM(material).encrypt(iv, plaintext, _aad(header, context))


def parse(blob: bytes) -> Header | None:
    """The header of a blob in this format, or None when the blob is not one (moto's, garbage)."""
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + 1:
        return None
    n = blob[len(MAGIC)]
    end = len(MAGIC) + 1 + n + _MID
    if len(blob) < end + _IV + 16:
        return None
    try:
        key_id = blob[len(MAGIC) + 1 : len(MAGIC) + 1 + n].decode("ascii")
    except UnicodeDecodeError:
        return None
    return Header(key_id, blob[end - _MID : end].hex(), end)


def open_blob(
    header: Header, blob: bytes, material: bytes, context: dict[str, str]
) -> bytes | None:
    """The plaintext, or None when the blob was altered or the context differs."""
    iv = blob[header.header_len : header.header_len + _IV]
    try:
        return AESGCM(material).decrypt(
            iv, blob[header.header_len + _IV :], _aad(blob[: header.header_len], context)
        )
    except (InvalidTag, ValueError):
        return None
