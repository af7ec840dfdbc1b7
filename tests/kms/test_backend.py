"""Backend-level tests: the import lifecycle without HTTP, and the pure pieces it is made of."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from cryptography.hazmat.primitives import keywrap

from kms_import_mock import generate_key_material, wrap_key_material
from kms_import_mock.crypto import tokens as _tokens
from kms_import_mock.crypto.keyspecs import wrapping_allowed
from kms_import_mock.crypto.wrapping import UnwrapError, unwrap_key_material
from kms_import_mock.crypto.wrapping_keys import POOL
from kms_import_mock.kms import clock as _clock
from kms_import_mock.kms.backend import ImportKmsBackend
from kms_import_mock.kms.errors import (
    IncorrectKeyMaterialException,
    InvalidCiphertextException,
    InvalidImportTokenException,
    KMSInvalidStateException,
)


@pytest.fixture
def backend() -> ImportKmsBackend:
    return ImportKmsBackend("us-east-1", "123456789012")


def _import(backend: ImportKmsBackend, key_id: str, material: bytes, **kwargs: object) -> str:
    _, token, public, _ = backend.get_parameters_for_import(
        key_id, "RSAES_OAEP_SHA_256", "RSA_2048"
    )
    blob = wrap_key_material(public, material, "RSAES_OAEP_SHA_256")
    kwargs.setdefault("expiration_model", "KEY_MATERIAL_DOES_NOT_EXPIRE")
    _, record = backend.import_key_material(key_id, token, blob, **kwargs)  # type: ignore[arg-type]
    return record.material_id


def test_create_external_key_generates_nothing(backend: ImportKmsBackend) -> None:
    key = backend.create_key(None, "", "", "d", None, origin="EXTERNAL")
    assert key.private_key is None and key.key_material == b""
    assert key.key_state == "PendingImport" and not key.enabled
    assert backend.import_metadata(key.id) == {}


def test_external_key_has_every_attribute_moto_gives_a_key(backend: ImportKmsBackend) -> None:
    plain = backend.create_key(None, "ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT", "", None)
    external = backend.create_key(None, "", "", "", None, origin="EXTERNAL")
    assert set(vars(plain)) <= set(vars(external))
    assert external.to_dict()["KeyMetadata"]["Origin"] == "EXTERNAL"


def test_lifecycle_without_http(backend: ImportKmsBackend) -> None:
    key = backend.create_key(
        None, "", "", "", [{"TagKey": "t", "TagValue": "v"}], origin="EXTERNAL"
    )
    material = generate_key_material()
    material_id = _import(backend, key.id, material)
    assert key.key_state == "Enabled"
    blob, arn = backend.encrypt(key.id, b"data", {})
    assert arn == key.arn
    assert backend.decrypt(blob, {})[0] == b"data"
    assert backend.delete_imported_key_material(key.arn) == (key, material_id)
    assert key.key_state == "PendingImport"
    with pytest.raises(KMSInvalidStateException):
        backend.decrypt(blob, {})
    with pytest.raises(IncorrectKeyMaterialException):
        _import(backend, key.id, generate_key_material())
    assert _import(backend, key.id, material) == material_id
    assert backend.decrypt(blob, {})[0] == b"data"


def test_expiry_is_lazy_and_exactly_once(
    backend: ImportKmsBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    expired: list[float] = []
    monkeypatch.setattr(
        backend, "on_materials_expired", lambda items: expired.extend(t for _, _, t in items)
    )
    key = backend.create_key(None, "", "", "", None, origin="EXTERNAL")
    valid_to = _clock.now() + dt.timedelta(hours=1)
    _import(backend, key.id, generate_key_material(), expiration_model=None, valid_to=valid_to)
    try:
        _clock.shift(dt.timedelta(hours=2))
        assert key.key_state == "Enabled"  # nothing happens until something reads the key
        backend.sweep()
        backend.sweep()
        assert key.key_state == "PendingImport"
        assert expired == [valid_to.timestamp()]
    finally:
        _clock.set_offset(dt.timedelta(0))


def test_refused_import_changes_nothing(backend: ImportKmsBackend) -> None:
    key = backend.create_key(None, "", "", "", None, origin="EXTERNAL")
    _, token, public, _ = backend.get_parameters_for_import(key.id, "RSAES_OAEP_SHA_1", "RSA_2048")
    with pytest.raises(InvalidCiphertextException):
        backend.import_key_material(
            key.id, token, b"\x00" * 256, expiration_model="KEY_MATERIAL_DOES_NOT_EXPIRE"
        )
    with pytest.raises(IncorrectKeyMaterialException):
        backend.import_key_material(
            key.id,
            token,
            wrap_key_material(public, b"short", "RSAES_OAEP_SHA_1"),
            expiration_model="KEY_MATERIAL_DOES_NOT_EXPIRE",
        )
    state = backend.imports[key.id]
    assert state.materials == [] and key.key_state == "PendingImport"
    backend.import_key_material(
        key.id,
        token,
        wrap_key_material(public, generate_key_material(), "RSAES_OAEP_SHA_1"),
        expiration_model="KEY_MATERIAL_DOES_NOT_EXPIRE",
    )
    assert key.key_state == "Enabled"


def test_token_is_bound_to_account_and_region() -> None:
    east = ImportKmsBackend("us-east-1", "123456789012")
    west = ImportKmsBackend("us-west-2", "123456789012")
    key = east.create_key(None, "", "", "", None, origin="EXTERNAL")
    west.keys[key.id] = key  # same id in another Region: the token must still be refused
    west.imports[key.id] = east.imports[key.id]
    _, token, public, _ = east.get_parameters_for_import(key.id, "RSAES_OAEP_SHA_256", "RSA_2048")
    blob = wrap_key_material(public, generate_key_material(), "RSAES_OAEP_SHA_256")
    with pytest.raises(InvalidImportTokenException):
        west.import_key_material(
            key.id, token, blob, expiration_model="KEY_MATERIAL_DOES_NOT_EXPIRE"
        )


def test_tokens_do_not_reveal_their_claims() -> None:
    claims = _tokens.TokenClaims(
        "123456789012", "us-east-1", "kid", "RSAES_OAEP_SHA_256", "RSA_2048", 3, 1.0
    )
    token = _tokens.seal(claims)
    assert b"kid" not in token and b"123456789012" not in token
    assert _tokens.open_token(token) == claims
    assert "kid" in repr(claims) and "slot" not in repr(claims)


# -- pure crypto -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "alg",
    [
        "RSAES_OAEP_SHA_1",
        "RSAES_OAEP_SHA_256",
        "RSA_AES_KEY_WRAP_SHA_1",
        "RSA_AES_KEY_WRAP_SHA_256",
    ],
)
def test_wrap_unwrap_round_trip(alg: str) -> None:
    slot = POOL.acquire("RSA_2048")
    private = POOL.private_key("RSA_2048", slot)
    material = os.urandom(32)
    blob = wrap_key_material(POOL.public_key_der("RSA_2048", slot), material, alg)
    assert unwrap_key_material(private, blob, alg) == material
    with pytest.raises(UnwrapError):
        unwrap_key_material(private, blob[:-1], alg)


def test_rsa_aes_layout_is_rsa_wrapped_kek_then_rfc5649() -> None:
    slot = POOL.acquire("RSA_2048")
    private = POOL.private_key("RSA_2048", slot)
    blob = wrap_key_material(
        POOL.public_key_der("RSA_2048", slot), b"m" * 100, "RSA_AES_KEY_WRAP_SHA_256"
    )
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    kek = private.decrypt(
        blob[:256],
        padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None),
    )
    assert len(kek) == 32
    assert keywrap.aes_key_unwrap_with_padding(kek, blob[256:]) == b"m" * 100


def test_wrap_refuses_unsupported_algorithm() -> None:
    with pytest.raises(ValueError, match="not supported"):
        wrap_key_material(b"", b"", "RSAES_PKCS1_V1_5")


def test_wrapping_table_for_symmetric() -> None:
    allowed = {
        (alg, spec)
        for alg in (
            "RSAES_PKCS1_V1_5",
            "RSAES_OAEP_SHA_1",
            "RSAES_OAEP_SHA_256",
            "RSA_AES_KEY_WRAP_SHA_1",
            "RSA_AES_KEY_WRAP_SHA_256",
            "SM2PKE",
        )
        for spec in ("RSA_2048", "RSA_3072", "RSA_4096", "SM2")
        if wrapping_allowed("SYMMETRIC_DEFAULT", alg, spec)
    }
    assert allowed == {
        (alg, spec)
        for alg in ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256")
        for spec in ("RSA_2048", "RSA_3072", "RSA_4096")
    }
