"""The handle's one-call helpers: create_imported_key and import_key_material, every key spec."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re

import pytest
import time_machine

from kms_import_mock import ImportedKey, generate_key_material, mock_kms_import
from kms_import_mock._imported import choose_wrapping
from tests.helpers import aws_error, key_state

UTC = dt.timezone.utc
T0 = dt.datetime(2030, 5, 1, 12, 0, tzinfo=UTC)

SPECS = {
    "SYMMETRIC_DEFAULT": "ENCRYPT_DECRYPT",
    "HMAC_224": "GENERATE_VERIFY_MAC",
    "HMAC_256": "GENERATE_VERIFY_MAC",
    "HMAC_384": "GENERATE_VERIFY_MAC",
    "HMAC_512": "GENERATE_VERIFY_MAC",
    "RSA_2048": "ENCRYPT_DECRYPT",
    "RSA_3072": "ENCRYPT_DECRYPT",
    "RSA_4096": "ENCRYPT_DECRYPT",
    "ECC_NIST_P256": "SIGN_VERIFY",
    "ECC_NIST_P384": "SIGN_VERIFY",
    "ECC_NIST_P521": "SIGN_VERIFY",
    "ECC_SECG_P256K1": "SIGN_VERIFY",
}


@functools.cache
def material_for(key_spec: str) -> bytes:
    """One material per spec for the whole session: RSA-4096 generation costs about a second."""
    return generate_key_material(key_spec)


@pytest.fixture
def m():
    with time_machine.travel(T0, tick=False), mock_kms_import() as handle:
        yield handle


@pytest.mark.parametrize("key_spec", SPECS)
def test_create_imported_key_every_spec(m, key_spec):
    key = m.create_imported_key(key_spec, key_material=material_for(key_spec))
    assert isinstance(key, ImportedKey)
    meta = m.client().describe_key(KeyId=key.key_id)["KeyMetadata"]
    assert (meta["KeySpec"], meta["KeyUsage"], meta["Origin"]) == (
        key_spec,
        SPECS[key_spec],
        "EXTERNAL",
    )
    assert meta["KeyState"] == "Enabled"
    assert meta["ExpirationModel"] == "KEY_MATERIAL_DOES_NOT_EXPIRE"
    assert key.arn == meta["Arn"]
    assert key.key_material == material_for(key_spec)
    if key_spec == "SYMMETRIC_DEFAULT":
        assert re.fullmatch(r"[0-9a-f]{64}", key.key_material_id or "")
        assert key.key_material_id == meta["CurrentKeyMaterialId"]
    else:
        assert key.key_material_id is None
    lifecycle = ("GetParametersForImport", "ImportKeyMaterial")
    assert [e["eventName"] for e in m.events(key_id=key.key_id)][0] == "CreateKey"
    assert [e["eventName"] for e in m.events(key_id=key.key_id) if e["eventName"] in lifecycle] == [
        "GetParametersForImport",
        "ImportKeyMaterial",
    ]


#: Every spec but RSA_3072/RSA_4096, whose import alone costs ~0.4 s (RSA key validation on load);
#: create_imported_key above already imports them through import_key_material.
QUICK_SPECS = [spec for spec in SPECS if spec not in ("RSA_3072", "RSA_4096")]


@pytest.mark.parametrize("key_spec", QUICK_SPECS)
def test_import_key_material_every_spec_reimports_the_same_material(m, key_spec):
    key = m.create_imported_key(key_spec, key_material=material_for(key_spec))
    kms = m.client()
    kms.delete_imported_key_material(KeyId=key.key_id)
    assert key_state(kms, key.key_id) == "PendingImport"
    response = m.import_key_material(key.key_id, key.key_material, valid_to=dt.timedelta(days=7))
    assert response["KeyId"] == key.arn
    assert response.get("KeyMaterialId") == key.key_material_id
    meta = kms.describe_key(KeyId=key.key_id)["KeyMetadata"]
    assert meta["KeyState"] == "Enabled"
    assert abs(meta["ValidTo"] - (T0 + dt.timedelta(days=7))) < dt.timedelta(seconds=5)


def test_generated_material_is_hidden_from_repr_and_the_key_is_frozen(m):
    key = m.create_imported_key()
    assert len(key.key_material) == 32
    assert "key_material=" not in repr(key)
    assert key.key_material.hex() not in repr(key) and str(key.key_material) not in repr(key)
    assert key.key_id in repr(key) and "key_material_id=" in repr(key)
    with pytest.raises(dataclasses.FrozenInstanceError):
        key.key_id = "other"  # type: ignore[misc]


def test_symmetric_key_encrypts_and_decrypts(m):
    key = m.create_imported_key()
    kms = m.client()
    blob = kms.encrypt(KeyId=key.key_id, Plaintext=b"hello")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"hello"


def test_valid_to_datetime_timedelta_or_none(m):
    kms = m.client()
    when = T0 + dt.timedelta(days=30)
    for valid_to, expected in (
        (when, when),
        (dt.timedelta(days=2), T0 + dt.timedelta(days=2)),
        (when.replace(tzinfo=None), when),  # naive datetimes are UTC
    ):
        key = m.create_imported_key(valid_to=valid_to)
        meta = kms.describe_key(KeyId=key.key_id)["KeyMetadata"]
        assert meta["ExpirationModel"] == "KEY_MATERIAL_EXPIRES"
        assert abs(meta["ValidTo"] - expected) < dt.timedelta(seconds=2)
    key = m.create_imported_key(valid_to=dt.timedelta(days=1))
    m.advance(dt.timedelta(days=1, seconds=1))
    assert key_state(kms, key.key_id) == "PendingImport"


def test_create_options_region_multi_region_usage_description(m):
    key = m.create_imported_key(
        "RSA_2048",
        key_material=material_for("RSA_2048"),
        region_name="eu-west-1",
        multi_region=True,
        key_usage="SIGN_VERIFY",
        description="signing key",
    )
    assert key.key_id.startswith("mrk-")
    assert ":eu-west-1:" in key.arn
    meta = m.client("eu-west-1").describe_key(KeyId=key.key_id)["KeyMetadata"]
    assert (meta["KeyUsage"], meta["Description"], meta["MultiRegion"]) == (
        "SIGN_VERIFY",
        "signing key",
        True,
    )


def test_import_key_material_goes_through_the_real_checks(m):
    key = m.create_imported_key()
    code, _ = aws_error(m.import_key_material, key.key_id, generate_key_material())
    assert code == "IncorrectKeyMaterialException"
    code, message = aws_error(
        m.import_key_material,
        key.key_id,
        key.key_material,
        wrapping_algorithm="RSA_AES_KEY_WRAP_SHA_256",
    )
    assert code == "ValidationException" and "cannot be used to import" in message
    code, _ = aws_error(m.import_key_material, key.key_id, key.key_material, valid_to=T0)
    assert code == "ValidationException"


def test_import_key_material_passes_import_kwargs_and_wrapping(m):
    key = m.create_imported_key()
    new = generate_key_material()
    response = m.import_key_material(
        key.key_id,
        new,
        wrapping_algorithm="RSAES_OAEP_SHA_1",
        wrapping_key_spec="RSA_3072",
        ImportType="NEW_KEY_MATERIAL",
        KeyMaterialDescription="next",
    )
    assert response["KeyMaterialId"] != key.key_material_id
    meta = m.client().describe_key(KeyId=key.key_id)["KeyMetadata"]
    assert meta["CurrentKeyMaterialId"] == key.key_material_id  # pending rotation
    gpfi = m.events("GetParametersForImport", key_id=key.key_id)[-1]
    assert gpfi["requestParameters"]["wrappingAlgorithm"] == "RSAES_OAEP_SHA_1"
    assert gpfi["requestParameters"]["wrappingKeySpec"] == "RSA_3072"


def test_import_kwargs_expiration_is_respected_when_valid_to_is_not_given(m):
    key = m.create_imported_key()
    m.import_key_material(key.key_id, key.key_material, ValidTo=T0 + dt.timedelta(days=3))
    meta = m.client().describe_key(KeyId=key.key_id)["KeyMetadata"]
    assert abs(meta["ValidTo"] - (T0 + dt.timedelta(days=3))) < dt.timedelta(seconds=5)


@pytest.mark.parametrize(
    ("key_spec", "algorithm", "wrapping_key_spec", "expected"),
    [
        ("SYMMETRIC_DEFAULT", None, None, ("RSAES_OAEP_SHA_256", "RSA_2048")),
        ("HMAC_256", None, None, ("RSAES_OAEP_SHA_256", "RSA_2048")),
        ("RSA_4096", None, None, ("RSA_AES_KEY_WRAP_SHA_256", "RSA_2048")),
        ("ECC_NIST_P521", None, None, ("RSA_AES_KEY_WRAP_SHA_256", "RSA_2048")),
        ("ECC_NIST_P521", "RSAES_OAEP_SHA_256", None, ("RSAES_OAEP_SHA_256", "RSA_3072")),
        ("RSA_2048", None, "RSA_4096", ("RSA_AES_KEY_WRAP_SHA_256", "RSA_4096")),
        # nothing allowed: passed through so that AWS's refusal surfaces
        (
            "SYMMETRIC_DEFAULT",
            "RSA_AES_KEY_WRAP_SHA_1",
            None,
            ("RSA_AES_KEY_WRAP_SHA_1", "RSA_4096"),
        ),
    ],
)
def test_choose_wrapping(key_spec, algorithm, wrapping_key_spec, expected):
    assert choose_wrapping(key_spec, algorithm, wrapping_key_spec) == expected


def test_external_key_created_with_tags(m):
    kms = m.client()
    key_id = kms.create_key(Origin="EXTERNAL", Tags=[{"TagKey": "team", "TagValue": "pay"}])[
        "KeyMetadata"
    ]["KeyId"]
    assert kms.list_resource_tags(KeyId=key_id)["Tags"] == [{"TagKey": "team", "TagValue": "pay"}]
