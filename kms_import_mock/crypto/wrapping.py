"""Wrapping and unwrapping key material exactly as AWS documents it.

Pure functions over ``cryptography`` primitives: RSA-OAEP with MGF1 on the same hash and an empty
label, and AES Key Wrap with Padding (RFC 5649) for the ``RSA_AES_KEY_WRAP_*`` algorithms, where the
blob is the RSA-wrapped 32-byte AES key followed by the AES-wrapped material.
"""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import hashes, keywrap, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from . import keyspecs

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "RSAES_OAEP_SHA_1": hashes.SHA1,
    "RSAES_OAEP_SHA_256": hashes.SHA256,
    "RSA_AES_KEY_WRAP_SHA_1": hashes.SHA1,
    "RSA_AES_KEY_WRAP_SHA_256": hashes.SHA256,
}

#: RSA_AES_* use a 256-bit AES key-encryption key; the only size AWS documents.
KEK_BYTES = 32


class UnwrapError(Exception):
    """The blob does not decrypt under this wrapping key and algorithm."""


def _oaep(algorithm: str) -> padding.OAEP:
    h = _HASHES[algorithm]
    return padding.OAEP(mgf=padding.MGF1(algorithm=h()), algorithm=h(), label=None)


def _supported(algorithm: str) -> None:
    if algorithm not in _HASHES:
        raise ValueError(
            f"wrapping algorithm {algorithm!r} is not supported; use one of {sorted(_HASHES)}"
        )


def wrap_key_material(public_key: bytes, key_material: bytes, wrapping_algorithm: str) -> bytes:
    """Encrypt ``key_material`` for ImportKeyMaterial, as a client following the AWS guide does.

    Args:
        public_key: GetParametersForImport's ``PublicKey`` (DER SubjectPublicKeyInfo).
        key_material: the plaintext material (see :func:`generate_key_material`).
        wrapping_algorithm: the ``WrappingAlgorithm`` the parameters were requested with:
            ``RSAES_OAEP_SHA_1``, ``RSAES_OAEP_SHA_256``, ``RSA_AES_KEY_WRAP_SHA_1`` or
            ``RSA_AES_KEY_WRAP_SHA_256``.

    Returns:
        ``EncryptedKeyMaterial`` for ImportKeyMaterial.

    Raises:
        ValueError: an algorithm not in that list, or a public key that is not RSA.
    """
    _supported(wrapping_algorithm)
    pub = serialization.load_der_public_key(public_key)
    if not isinstance(pub, rsa.RSAPublicKey):
        raise ValueError("public_key is not an RSA public key")
    if wrapping_algorithm.startswith("RSAES_OAEP"):
        return pub.encrypt(key_material, _oaep(wrapping_algorithm))
    kek = os.urandom(KEK_BYTES)
    return pub.encrypt(kek, _oaep(wrapping_algorithm)) + keywrap.aes_key_wrap_with_padding(
        kek, key_material
    )


def unwrap_key_material(
    private_key: rsa.RSAPrivateKey, blob: bytes, wrapping_algorithm: str
) -> bytes:
    """The server side of :func:`wrap_key_material`; raises :class:`UnwrapError` on any failure."""
    _supported(wrapping_algorithm)
    modulus_bytes = private_key.key_size // 8
    try:
        if wrapping_algorithm.startswith("RSAES_OAEP"):
            if len(blob) != modulus_bytes:
                raise UnwrapError
            return private_key.decrypt(blob, _oaep(wrapping_algorithm))
        head, tail = blob[:modulus_bytes], blob[modulus_bytes:]
        if len(head) != modulus_bytes or not tail:
            raise UnwrapError
        kek = private_key.decrypt(head, _oaep(wrapping_algorithm))
        if len(kek) != KEK_BYTES:
            raise UnwrapError
        return keywrap.aes_key_unwrap_with_padding(kek, tail)
    except (ValueError, keywrap.InvalidUnwrap) as exc:
        raise UnwrapError from exc


def generate_key_material(key_spec: str = keyspecs.SYMMETRIC) -> bytes:
    """Fresh key material of the form ImportKeyMaterial expects for ``key_spec``.

    Args:
        key_spec: a KMS key spec; the default is ``SYMMETRIC_DEFAULT``.

    Returns:
        32 random bytes for ``SYMMETRIC_DEFAULT``; random bytes of the digest size for
        ``HMAC_*``; an unencrypted PKCS#8 DER private key for ``RSA_*`` and ``ECC_*`` specs.

    Raises:
        ValueError: a key spec whose material cannot be generated (``SM2``, unknown specs).
    """
    fam = keyspecs.family(key_spec)
    if fam == "symmetric":
        return os.urandom(32)
    if fam == "hmac":
        return os.urandom(keyspecs.HMAC_MIN_BYTES[key_spec])
    private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    if fam == "rsa":
        private = rsa.generate_private_key(65537, keyspecs.RSA_BITS[key_spec])
    elif fam == "ecc":
        private = ec.generate_private_key(keyspecs.ECC_CURVES[key_spec]())
    else:
        raise ValueError(f"key material cannot be generated for key spec {key_spec!r}")
    return private.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
