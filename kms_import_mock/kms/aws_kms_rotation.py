"""Rotation of AWS_KMS symmetric keys gives them new key material, with a new material id.

moto's RotateKeyOnDemand only appended a history entry: the key kept its one material, so
CurrentKeyMaterialId stayed the same and no ciphertext could tell which material made it. On
AWS each rotation creates new material (CurrentKeyMaterialId changes, ListKeyRotations names
each rotation's KeyMaterialId) and ciphertexts made before still decrypt, their Decrypt
answering the KeyMaterialId of the older material that made them.

Here rotation draws new random material for the key (and the replicas of a multi-Region key,
which share it, as moto copies it) and keeps the earlier materials on the key, oldest first.
moto's Encrypt then uses the new material; a ciphertext that moto's Decrypt cannot open with it
is tried with the earlier ones (only keys that were rotated pay for that).
"""

from __future__ import annotations

import functools
import hashlib
import os
import types
from collections.abc import Iterable
from typing import Any

from moto.kms import utils as _moto_utils
from moto.kms.exceptions import InvalidCiphertextException
from moto.kms.models import Key

_PREVIOUS = "_kms_import_mock_previous_materials"
_ID_LEN = 36  # moto's ciphertext header holds this many characters of key ID


@functools.lru_cache(maxsize=1024)
def material_id(key_id: str, material: bytes) -> str:
    """The 64-hex id of one material of an AWS_KMS key (stable, and the same in every Region).

    Remembered for the most recent materials: every Encrypt, Decrypt and GenerateDataKey of an
    AWS_KMS key answers it, so it is asked for on nearly every request."""
    return hashlib.sha256(b"AWS_KMS key material\0" + key_id.encode() + material).hexdigest()


def previous_materials(key: Key) -> tuple[bytes, ...]:
    materials: tuple[bytes, ...] = getattr(key, _PREVIOUS, ())
    return materials


def rotate(keys: Iterable[Key]) -> str:
    """Give ``keys`` (one key and its replicas) one new material; the new material's id."""
    keys = list(keys)
    old = bytes(keys[0].key_material or b"")
    new = os.urandom(len(old) or 32)
    for key in keys:
        setattr(key, _PREVIOUS, (*previous_materials(key), bytes(key.key_material or old)))
        key.key_material = new
    return material_id(keys[0].id, new)


def _key_of(keys: dict[str, Key], blob: bytes) -> Key | None:
    prefix = blob[:_ID_LEN].decode("utf-8", "replace")
    key = keys.get(prefix)
    if key is not None:
        return key
    matches = [k for k in keys.values() if k.id[:_ID_LEN] == prefix]
    return matches[0] if len(matches) == 1 else None


def open_with_previous(
    keys: dict[str, Key], blob: bytes, context: dict[str, str]
) -> tuple[bytes, Key, bytes] | None:
    """(plaintext, key, material) when one of a rotated key's earlier materials opens
    ``blob`` (a moto ciphertext); None when the blob's key has no earlier material or none fits."""
    key = _key_of(keys, blob)
    if key is None:
        return None
    prefix = blob[:_ID_LEN].decode("utf-8", "replace")
    for material in reversed(previous_materials(key)):
        holder: Any = types.SimpleNamespace(key_material=material)
        try:
            plaintext, _ = _moto_utils.decrypt(
                master_keys={prefix: holder}, ciphertext_blob=blob, encryption_context=context
            )
        except InvalidCiphertextException:
            continue
        return plaintext, key, material
    return None


def material_of_blob(key: Key, blob: bytes, context: dict[str, str] | None) -> bytes:
    """The material of ``key`` that made the moto ciphertext ``blob``: the current one unless
    the key was rotated and an earlier material opens it."""
    current = bytes(key.key_material or b"")
    if not previous_materials(key) or context is None:
        return current
    prefix = blob[:_ID_LEN].decode("utf-8", "replace")
    holder: Any = types.SimpleNamespace(key_material=current)
    try:
        _moto_utils.decrypt(
            master_keys={prefix: holder}, ciphertext_blob=blob, encryption_context=context
        )
        return current
    except InvalidCiphertextException:
        found = open_with_previous({key.id: key}, blob, context)
        return found[2] if found is not None else current
