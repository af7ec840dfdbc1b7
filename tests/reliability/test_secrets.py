"""Secrets hygiene (issue 8 §5).

Imported material, the AES key-encryption keys of RSA_AES_* wrapping and the wrapping private
keys never appear in a response (raw HTTP bodies included), a log record, an exception message,
or the repr/str of the library's objects, in raw, hex or base64 form.
"""

from __future__ import annotations

import base64
import logging
import os
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, keywrap, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from reliability_support import backend

from kms_import_mock import generate_key_material, mock_kms_import
from kms_import_mock.crypto import tokens as _tokens
from kms_import_mock.crypto import wrapping_keys as _wrapping_keys


def forms(secret: bytes) -> list[bytes]:
    """The secret as raw bytes, hex (both cases), base64 and urlsafe base64 — and, because a
    secret inside a longer base64 string sits at any alignment, its three shifted encodings."""
    out = [secret, secret.hex().encode(), secret.hex().upper().encode()]
    for shift in range(3):
        padded = b"\x00" * shift + secret
        for enc in (base64.b64encode, base64.urlsafe_b64encode):
            text = enc(padded)
            # Drop the characters that depend on the prefix and the padding.
            start = (shift * 4 + 2) // 3 + (1 if shift else 0)
            out.append(text[start:].rstrip(b"=")[:-4] or text)
    return [f for f in out if len(f) >= 16]


def oaep() -> padding.OAEP:
    return padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def test_secrets_never_leave(caplog: pytest.LogCaptureFixture, capsys: Any) -> None:
    caplog.set_level(logging.DEBUG)
    captured: list[bytes] = []
    secrets: dict[str, bytes] = {}

    def keep_body(http_response: Any, **_: Any) -> None:
        captured.append(http_response.content)

    with mock_kms_import() as mock:
        kms = mock.client()
        kms.meta.events.register("after-call.kms", keep_body)
        kms.meta.events.register("after-call-error.kms", keep_body)
        for spec, usage, algorithm in (
            ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "RSAES_OAEP_SHA_256"),
            ("HMAC_256", "GENERATE_VERIFY_MAC", "RSAES_OAEP_SHA_1"),
            ("ECC_NIST_P256", "SIGN_VERIFY", "RSA_AES_KEY_WRAP_SHA_256"),
        ):
            key_id = kms.create_key(Origin="EXTERNAL", KeySpec=spec, KeyUsage=usage)["KeyMetadata"][
                "KeyId"
            ]
            params = kms.get_parameters_for_import(
                KeyId=key_id, WrappingAlgorithm=algorithm, WrappingKeySpec="RSA_2048"
            )
            public = serialization.load_der_public_key(params["PublicKey"])
            material = generate_key_material(spec)
            secrets[f"{spec} material"] = material
            if algorithm.startswith("RSA_AES"):
                kek = os.urandom(32)  # our own KEK, so we know what must not leak
                secrets[f"{spec} KEK"] = kek
                blob = public.encrypt(kek, oaep()) + keywrap.aes_key_wrap_with_padding(
                    kek, material
                )
            else:
                sha = hashes.SHA256() if algorithm.endswith("256") else hashes.SHA1()
                blob = public.encrypt(
                    material, padding.OAEP(mgf=padding.MGF1(sha), algorithm=sha, label=None)
                )
            kms.import_key_material(
                KeyId=key_id,
                ImportToken=params["ImportToken"],
                EncryptedKeyMaterial=blob,
                ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
            )
            # Error paths: the wrong material, a tampered blob, a reimport of other material.
            for bad in (blob[:-1] + bytes([blob[-1] ^ 1]), public.encrypt(b"x" * 31, oaep())):
                with pytest.raises(ClientError) as info:
                    kms.import_key_material(
                        KeyId=key_id,
                        ImportToken=params["ImportToken"],
                        EncryptedKeyMaterial=bad,
                        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
                    )
                captured.append(str(info.value).encode())
            kms.describe_key(KeyId=key_id)
            if spec == "SYMMETRIC_DEFAULT":
                ct = kms.encrypt(KeyId=key_id, Plaintext=b"p")["CiphertextBlob"]
                kms.decrypt(CiphertextBlob=ct)
                with pytest.raises(ClientError) as info:
                    kms.decrypt(CiphertextBlob=ct[:-1])
                captured.append(str(info.value).encode())
            kms.delete_imported_key_material(KeyId=key_id)

        be = backend()
        objects: list[Any] = [mock, be, _wrapping_keys.POOL, *be.imports.values()]
        for state in be.imports.values():
            objects += state.materials
            objects += [m.material for m in state.materials if m.material is not None]
        objects.append(_tokens.open_token(params["ImportToken"]))
        captured += [repr(o).encode() for o in objects] + [str(o).encode() for o in objects]

    for (wks, n), wrapping_key in _wrapping_keys.POOL._keys.items():
        private = wrapping_key.private
        der = private.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        numbers = private.private_numbers()
        secrets[f"{wks}[{n}] private key (DER)"] = der
        secrets[f"{wks}[{n}] private exponent"] = numbers.d.to_bytes(512, "big").lstrip(b"\0")
        secrets[f"{wks}[{n}] prime p"] = numbers.p.to_bytes(256, "big").lstrip(b"\0")
    secrets["token secret"] = _tokens._secret or b""

    out, err = capsys.readouterr()
    haystack = b"\n".join(captured) + out.encode() + err.encode() + caplog.text.encode()
    for record in caplog.records:
        haystack += repr(record.args).encode() + str(record.msg).encode()
    assert len(captured) > 30
    for name, secret in secrets.items():
        for form in forms(secret):
            assert form not in haystack, f"{name} leaked"
        if len(secret) <= 512:  # decimal, for the private key's integers (not whole DERs)
            assert str(int.from_bytes(secret, "big")).encode()[:40] not in haystack, name


def test_forms_helper_finds_secrets_at_any_alignment() -> None:
    secret = os.urandom(32)
    for prefix in (b"", b"a", b"ab", b"abc"):
        blob = base64.b64encode(prefix + secret + b"tail")
        assert any(f in blob for f in forms(secret)), prefix
