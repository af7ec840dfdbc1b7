"""The symmetric import lifecycle end to end through boto3 (issue 2, spec §1–§8)."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from kms_import_mock import KmsImportMock, generate_key_material, wrap_key_material
from tests.helpers import aws_error, import_material, in_days, key_state

OAEP = ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256")


@pytest.fixture
def kms(kms_import: KmsImportMock) -> Any:
    return kms_import.client()


@pytest.fixture
def key(kms: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    return metadata


def params(kms: Any, key_id: str, alg: str = "RSAES_OAEP_SHA_256", spec: str = "RSA_2048") -> Any:
    return kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm=alg, WrappingKeySpec=spec)


def refused_import(kms: Any, key_id: str, token: bytes, blob: bytes) -> tuple[str, str]:
    """(code, message) of an ImportKeyMaterial (no expiry) that must be refused."""
    return aws_error(
        kms.import_key_material,
        KeyId=key_id,
        ImportToken=token,
        EncryptedKeyMaterial=blob,
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
    )


# -- CreateKey -------------------------------------------------------------------------------


def test_external_key_starts_pending_import_without_material_fields(kms: Any) -> None:
    created = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    described = kms.describe_key(KeyId=created["KeyId"])["KeyMetadata"]
    for meta in (created, described):
        assert meta["KeyState"] == "PendingImport"
        assert meta["Enabled"] is False
        assert meta["Origin"] == "EXTERNAL"
        assert meta["KeySpec"] == "SYMMETRIC_DEFAULT"
        assert meta["KeyUsage"] == "ENCRYPT_DECRYPT"
        for absent in ("ExpirationModel", "ValidTo", "CurrentKeyMaterialId"):
            assert absent not in meta


def test_plain_keys_are_untouched(kms: Any) -> None:
    meta = kms.create_key()["KeyMetadata"]
    assert meta["KeyState"] == "Enabled"
    assert meta["Origin"] == "AWS_KMS"
    blob = kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"


# -- GetParametersForImport ------------------------------------------------------------------


@pytest.mark.parametrize("spec,bits", [("RSA_2048", 2048), ("RSA_3072", 3072), ("RSA_4096", 4096)])
def test_parameters_are_arn_der_public_key_and_24h(
    kms: Any, key: dict[str, Any], kms_import: KmsImportMock, spec: str, bits: int
) -> None:
    before = kms_import.now()
    p = params(kms, key["KeyId"], spec=spec)
    assert p["KeyId"] == key["Arn"]
    public = serialization.load_der_public_key(p["PublicKey"])
    assert public.key_size == bits  # type: ignore[union-attr]
    lifetime = p["ParametersValidTo"] - before
    assert (
        dt.timedelta(hours=24) - dt.timedelta(seconds=5)
        <= lifetime
        <= dt.timedelta(hours=24, seconds=5)
    )


def test_every_call_returns_a_different_key_pair(kms: Any, key: dict[str, Any]) -> None:
    keys = {params(kms, key["KeyId"])["PublicKey"] for _ in range(4)}
    assert len(keys) == 4


def test_parameters_accept_key_arn(kms: Any, key: dict[str, Any]) -> None:
    assert params(kms, key["Arn"])["KeyId"] == key["Arn"]


@pytest.mark.parametrize("alias_form", ["name", "arn"])
def test_aliases_are_refused(kms: Any, key: dict[str, Any], alias_form: str) -> None:
    kms.create_alias(AliasName="alias/byok", TargetKeyId=key["KeyId"])
    alias = (
        "alias/byok"
        if alias_form == "name"
        else key["Arn"].replace(f"key/{key['KeyId']}", "alias/byok")
    )
    code, message = aws_error(params, kms, alias)
    assert code == "NotFoundException"
    assert alias in message


def test_unknown_key(kms: Any, key: dict[str, Any]) -> None:
    missing = "11111111-2222-3333-4444-555555555555"
    code, message = aws_error(params, kms, missing)
    assert code == "NotFoundException"
    assert message == f"Key '{key['Arn'].rsplit('/', 1)[0]}/{missing}' does not exist"


@pytest.mark.parametrize(
    "alg,spec",
    [
        ("RSA_AES_KEY_WRAP_SHA_256", "RSA_3072"),
        ("RSA_AES_KEY_WRAP_SHA_1", "RSA_2048"),
        ("RSAES_PKCS1_V1_5", "RSA_2048"),
        ("RSAES_PKCS1_V1_5", "RSA_4096"),
    ],
)
def test_refused_wrapping_combinations(kms: Any, key: dict[str, Any], alg: str, spec: str) -> None:
    code, message = aws_error(params, kms, key["KeyId"], alg, spec)
    assert code == "ValidationException"
    assert message == (
        f"Wrapping algorithm {alg} and wrapping key spec {spec} cannot be used to import a "
        "SYMMETRIC_DEFAULT key."
    )


def test_unknown_enum_values_are_validation_errors(kms: Any, key: dict[str, Any]) -> None:
    # boto3 validates client side only the shape, not enums; the mock must answer like AWS.
    code, message = aws_error(params, kms, key["KeyId"], "ROT13", "RSA_2048")
    assert code == "ValidationException"
    assert "wrappingAlgorithm" in message and "ROT13" in message


def test_parameters_for_aws_kms_key(kms: Any) -> None:
    meta = kms.create_key()["KeyMetadata"]
    code, message = aws_error(params, kms, meta["KeyId"])
    assert code == "UnsupportedOperationException"
    assert message == f"{meta['Arn']} origin is AWS_KMS which is not valid for this operation."


def test_parameters_for_key_pending_deletion(kms: Any, key: dict[str, Any]) -> None:
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    code, message = aws_error(params, kms, key["KeyId"])
    assert code == "KMSInvalidStateException"
    assert message == f"{key['Arn']} is pending deletion."


# -- ImportKeyMaterial ------------------------------------------------------------------------


@pytest.mark.parametrize("alg", OAEP)
@pytest.mark.parametrize("spec", ["RSA_2048", "RSA_3072", "RSA_4096"])
def test_import_with_every_allowed_wrapping(
    kms: Any, key: dict[str, Any], alg: str, spec: str
) -> None:
    material = generate_key_material()
    result = import_material(
        kms, key["KeyId"], material, wrapping_algorithm=alg, wrapping_key_spec=spec
    )
    assert result["KeyId"] == key["Arn"]
    assert len(result["KeyMaterialId"]) == 64
    assert result["KeyMaterialId"] == result["KeyMaterialId"].lower()
    int(result["KeyMaterialId"], 16)
    assert key_state(kms, key["KeyId"]) == "Enabled"


def test_success_shows_expiration_and_current_material(kms: Any, key: dict[str, Any]) -> None:
    valid_to = in_days(10).replace(microsecond=0)
    result = import_material(kms, key["KeyId"], generate_key_material(), ValidTo=valid_to)
    meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert meta["KeyState"] == "Enabled" and meta["Enabled"] is True
    assert meta["ExpirationModel"] == "KEY_MATERIAL_EXPIRES"
    assert meta["ValidTo"] == valid_to
    assert meta["CurrentKeyMaterialId"] == result["KeyMaterialId"]


def test_material_id_is_deterministic_in_key_and_material(kms: Any) -> None:
    material = generate_key_material()
    a = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    b = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    first = import_material(kms, a, material)["KeyMaterialId"]
    again = import_material(kms, a, material, wrapping_algorithm="RSAES_OAEP_SHA_1")[
        "KeyMaterialId"
    ]
    other_key = import_material(kms, b, material)["KeyMaterialId"]
    assert first == again
    assert first != other_key


def test_expiration_model_defaults_to_expires(kms: Any, key: dict[str, Any]) -> None:
    p = params(kms, key["KeyId"])
    blob = wrap_key_material(p["PublicKey"], generate_key_material(), "RSAES_OAEP_SHA_256")
    code, message = aws_error(
        kms.import_key_material,
        KeyId=key["KeyId"],
        ImportToken=p["ImportToken"],
        EncryptedKeyMaterial=blob,
    )
    assert (code, message) == (
        "ValidationException",
        "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES",
    )
    # The refused request changed nothing and did not consume the token (spec §5.5).
    assert key_state(kms, key["KeyId"]) == "PendingImport"
    kms.import_key_material(
        KeyId=key["KeyId"],
        ImportToken=p["ImportToken"],
        EncryptedKeyMaterial=blob,
        ValidTo=in_days(1),
    )
    assert key_state(kms, key["KeyId"]) == "Enabled"


@pytest.mark.parametrize(
    "kwargs,fragment",
    [
        ({"ExpirationModel": "KEY_MATERIAL_EXPIRES"}, "A validTo date must be set"),
        ({"ValidTo": "past"}, "is in the past"),
        ({"ValidTo": "366d"}, "more than 365 days"),
        (
            {"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE", "ValidTo": "1d"},
            "must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE",
        ),
    ],
)
def test_expiration_validation(
    kms: Any, key: dict[str, Any], kwargs: dict[str, Any], fragment: str
) -> None:
    values = {"past": in_days(-1), "366d": in_days(366), "1d": in_days(1)}
    kwargs = {k: values.get(v, v) for k, v in kwargs.items()}
    p = params(kms, key["KeyId"])
    blob = wrap_key_material(p["PublicKey"], generate_key_material(), "RSAES_OAEP_SHA_256")
    code, message = aws_error(
        kms.import_key_material,
        KeyId=key["KeyId"],
        ImportToken=p["ImportToken"],
        EncryptedKeyMaterial=blob,
        **kwargs,
    )
    assert code == "ValidationException"
    assert fragment in message
    assert key_state(kms, key["KeyId"]) == "PendingImport"


def test_valid_to_of_exactly_365_days_is_accepted(kms: Any, key: dict[str, Any]) -> None:
    import_material(
        kms, key["KeyId"], generate_key_material(), ValidTo=in_days(365) - dt.timedelta(seconds=5)
    )
    assert key_state(kms, key["KeyId"]) == "Enabled"


def test_altered_garbage_and_foreign_tokens(kms: Any, key: dict[str, Any]) -> None:
    other = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    p = params(kms, key["KeyId"])
    foreign = params(kms, other)
    material = generate_key_material()
    blob = wrap_key_material(p["PublicKey"], material, "RSAES_OAEP_SHA_256")
    token = bytearray(p["ImportToken"])
    token[len(token) // 2] ^= 0x01
    for bad in (bytes(token), b"garbage", foreign["ImportToken"]):
        code, message = refused_import(kms, key["KeyId"], bad, blob)
        assert code == "InvalidImportTokenException"
        assert key["Arn"] in message
    assert key_state(kms, key["KeyId"]) == "PendingImport"


def test_expired_token(kms: Any, key: dict[str, Any], kms_import: KmsImportMock) -> None:
    p = params(kms, key["KeyId"])
    blob = wrap_key_material(p["PublicKey"], generate_key_material(), "RSAES_OAEP_SHA_256")
    kms_import.advance(dt.timedelta(hours=24, seconds=1))
    code, message = refused_import(kms, key["KeyId"], p["ImportToken"], blob)
    assert code == "ExpiredImportTokenException"
    assert "GetParametersForImport" in message


#: What ImportKeyMaterial answers for material the token's private key cannot unwrap.
UNWRAP_REFUSED = (
    "The request was rejected because KMS could not decrypt the encrypted (wrapped) key material. "
    "Wrap it with RSAES_OAEP_SHA_256 under the RSA_2048 public key returned with this import token."
)


def test_material_wrapped_for_another_token_does_not_unwrap(kms: Any, key: dict[str, Any]) -> None:
    first, second = params(kms, key["KeyId"]), params(kms, key["KeyId"])
    blob = wrap_key_material(second["PublicKey"], generate_key_material(), "RSAES_OAEP_SHA_256")
    code, message = refused_import(kms, key["KeyId"], first["ImportToken"], blob)
    assert (code, message) == ("InvalidCiphertextException", UNWRAP_REFUSED)


def test_wrong_algorithm_does_not_unwrap(kms: Any, key: dict[str, Any]) -> None:
    p = params(kms, key["KeyId"], alg="RSAES_OAEP_SHA_256")
    blob = wrap_key_material(p["PublicKey"], generate_key_material(), "RSAES_OAEP_SHA_1")
    code, _ = refused_import(kms, key["KeyId"], p["ImportToken"], blob)
    assert code == "InvalidCiphertextException"


@pytest.mark.parametrize("size", [16, 31, 33, 64])
def test_material_must_be_32_bytes(kms: Any, key: dict[str, Any], size: int) -> None:
    code, message = aws_error(import_material, kms, key["KeyId"], b"k" * size)
    assert code == "IncorrectKeyMaterialException"
    assert "32 bytes" in message and f"got {size} bytes" in message
    assert key_state(kms, key["KeyId"]) == "PendingImport"


def test_token_stays_valid_after_success(kms: Any, key: dict[str, Any]) -> None:
    p = params(kms, key["KeyId"])
    blob = wrap_key_material(p["PublicKey"], generate_key_material(), "RSAES_OAEP_SHA_256")
    for _ in range(2):
        kms.import_key_material(
            KeyId=key["KeyId"],
            ImportToken=p["ImportToken"],
            EncryptedKeyMaterial=blob,
            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
        )
    assert key_state(kms, key["KeyId"]) == "Enabled"


def test_import_with_alias_is_refused(kms: Any, key: dict[str, Any]) -> None:
    kms.create_alias(AliasName="alias/imp", TargetKeyId=key["KeyId"])
    p = params(kms, key["KeyId"])
    blob = wrap_key_material(p["PublicKey"], generate_key_material(), "RSAES_OAEP_SHA_256")
    code, _ = refused_import(kms, "alias/imp", p["ImportToken"], blob)
    assert code == "NotFoundException"
    assert key_state(kms, key["KeyId"]) == "PendingImport"


# -- reimport identity and changing the expiration ------------------------------------------------


def test_reimport_different_material_is_refused(kms: Any, key: dict[str, Any]) -> None:
    import_material(kms, key["KeyId"], generate_key_material())
    kms.delete_imported_key_material(KeyId=key["KeyId"])
    code, message = aws_error(import_material, kms, key["KeyId"], generate_key_material())
    assert code == "IncorrectKeyMaterialException"
    assert key["Arn"] in message
    assert key_state(kms, key["KeyId"]) == "PendingImport"
    # ... also while Enabled
    material = generate_key_material()
    k2 = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    import_material(kms, k2, material)
    code, _ = aws_error(import_material, kms, k2, generate_key_material())
    assert code == "IncorrectKeyMaterialException"
    assert key_state(kms, k2) == "Enabled"


def test_changing_expiration_by_reimporting_while_enabled(kms: Any, key: dict[str, Any]) -> None:
    material = generate_key_material()
    first = in_days(30).replace(microsecond=0)
    second = in_days(60).replace(microsecond=0)

    def describe() -> tuple[str, str | None, dt.datetime | None]:
        meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
        return meta["KeyState"], meta.get("ExpirationModel"), meta.get("ValidTo")

    import_material(kms, key["KeyId"], material, ValidTo=first, wrapping_key_spec="RSA_3072")
    assert describe() == ("Enabled", "KEY_MATERIAL_EXPIRES", first)
    import_material(kms, key["KeyId"], material, ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
    assert describe() == ("Enabled", "KEY_MATERIAL_DOES_NOT_EXPIRE", None)
    import_material(
        kms, key["KeyId"], material, ValidTo=first, wrapping_algorithm="RSAES_OAEP_SHA_1"
    )
    assert describe() == ("Enabled", "KEY_MATERIAL_EXPIRES", first)
    import_material(kms, key["KeyId"], material, ValidTo=second)
    assert describe() == ("Enabled", "KEY_MATERIAL_EXPIRES", second)


def test_extending_valid_to_cancels_the_earlier_expiry(
    kms: Any, key: dict[str, Any], kms_import: KmsImportMock
) -> None:
    material = generate_key_material()
    import_material(kms, key["KeyId"], material, ValidTo=in_days(1))
    import_material(kms, key["KeyId"], material, ValidTo=in_days(3))
    kms_import.advance(dt.timedelta(days=2))
    assert key_state(kms, key["KeyId"]) == "Enabled"
    kms_import.advance(dt.timedelta(days=1, seconds=1))
    assert key_state(kms, key["KeyId"]) == "PendingImport"


# -- crypto with the imported material ------------------------------------------------------


def test_ciphertexts_survive_delete_and_reimport(kms: Any, key: dict[str, Any]) -> None:
    material = generate_key_material()
    import_material(kms, key["KeyId"], material)
    ct = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"secret", EncryptionContext={"a": "b"})
    data_key = kms.generate_data_key(KeyId=key["KeyId"], NumberOfBytes=48)
    without_plain = kms.generate_data_key_without_plaintext(KeyId=key["KeyId"], KeySpec="AES_128")
    assert ct["KeyId"] == key["Arn"] and data_key["KeyId"] == key["Arn"]

    kms.delete_imported_key_material(KeyId=key["KeyId"])
    code, message = aws_error(
        kms.decrypt, CiphertextBlob=ct["CiphertextBlob"], EncryptionContext={"a": "b"}
    )
    assert (code, message) == ("KMSInvalidStateException", f"{key['Arn']} is pending import.")

    import_material(kms, key["KeyId"], material)
    out = kms.decrypt(CiphertextBlob=ct["CiphertextBlob"], EncryptionContext={"a": "b"})
    assert out["Plaintext"] == b"secret" and out["KeyId"] == key["Arn"]
    assert (
        kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"])["Plaintext"] == data_key["Plaintext"]
    )
    assert len(kms.decrypt(CiphertextBlob=without_plain["CiphertextBlob"])["Plaintext"]) == 16


def test_encryption_context_and_tampering(kms: Any, key: dict[str, Any]) -> None:
    import_material(kms, key["KeyId"], generate_key_material())
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p", EncryptionContext={"a": "b"})[
        "CiphertextBlob"
    ]
    assert aws_error(kms.decrypt, CiphertextBlob=blob)[0] == "InvalidCiphertextException"
    flipped = bytearray(blob)
    flipped[-1] ^= 1
    assert (
        aws_error(kms.decrypt, CiphertextBlob=bytes(flipped), EncryptionContext={"a": "b"})[0]
        == "InvalidCiphertextException"
    )


def test_ciphertext_uses_the_imported_material(kms: Any, key: dict[str, Any]) -> None:
    """The same plaintext under two keys with the same material is not interchangeable, but each
    key's ciphertext decrypts after its own material is reimported into a fresh import."""
    material = generate_key_material()
    import_material(kms, key["KeyId"], material)
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    other = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    import_material(kms, other, material)
    code, _ = aws_error(kms.decrypt, CiphertextBlob=blob, KeyId=other)
    assert code in ("IncorrectKeyException", "AccessDeniedException")


def test_reencrypt_between_imported_and_plain_keys(kms: Any, key: dict[str, Any]) -> None:
    import_material(kms, key["KeyId"], generate_key_material())
    plain = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"move me")["CiphertextBlob"]
    moved = kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=plain)
    assert moved["SourceKeyId"] == key["Arn"]
    back = kms.re_encrypt(CiphertextBlob=moved["CiphertextBlob"], DestinationKeyId=key["KeyId"])
    assert kms.decrypt(CiphertextBlob=back["CiphertextBlob"])["Plaintext"] == b"move me"


def test_encrypt_plaintext_limits_keep_moto_wording(kms: Any, key: dict[str, Any]) -> None:
    import_material(kms, key["KeyId"], generate_key_material())
    code, message = aws_error(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"x" * 4097)
    assert code == "ValidationException" and "4096" in message


# -- expiry ------------------------------------------------------------------------------------


def test_material_expires_at_valid_to(
    kms: Any, key: dict[str, Any], kms_import: KmsImportMock
) -> None:
    import_material(kms, key["KeyId"], generate_key_material(), ValidTo=in_days(1))
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    kms_import.advance(dt.timedelta(hours=23, minutes=59))
    assert key_state(kms, key["KeyId"]) == "Enabled"
    kms_import.advance(dt.timedelta(minutes=2))
    meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert meta["KeyState"] == "PendingImport" and meta["Enabled"] is False
    assert "ExpirationModel" not in meta and "ValidTo" not in meta
    assert "CurrentKeyMaterialId" in meta
    code, message = aws_error(kms.decrypt, CiphertextBlob=blob)
    assert (code, message) == ("KMSInvalidStateException", f"{key['Arn']} is pending import.")


def test_expiry_while_pending_deletion_keeps_pending_deletion(
    kms: Any, key: dict[str, Any], kms_import: KmsImportMock
) -> None:
    import_material(kms, key["KeyId"], generate_key_material(), ValidTo=in_days(1))
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    kms_import.advance(dt.timedelta(days=2))
    assert key_state(kms, key["KeyId"]) == "PendingDeletion"
    kms.cancel_key_deletion(KeyId=key["KeyId"])
    assert key_state(kms, key["KeyId"]) == "PendingImport"


def test_expiry_followed_by_freezegun(kms: Any, key: dict[str, Any]) -> None:
    freezegun = pytest.importorskip("freezegun")
    import_material(kms, key["KeyId"], generate_key_material(), ValidTo=in_days(1))
    with freezegun.freeze_time(dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)):
        assert key_state(kms, key["KeyId"]) == "PendingImport"


# -- DeleteImportedKeyMaterial -------------------------------------------------------------------


def test_delete_imported_key_material(kms: Any, key: dict[str, Any]) -> None:
    result = import_material(kms, key["KeyId"], generate_key_material(), ValidTo=in_days(3))
    deleted = kms.delete_imported_key_material(KeyId=key["Arn"])
    assert deleted["KeyId"] == key["Arn"]
    assert deleted["KeyMaterialId"] == result["KeyMaterialId"]
    meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert meta["KeyState"] == "PendingImport" and meta["Enabled"] is False
    assert "ExpirationModel" not in meta and "ValidTo" not in meta
    assert meta["CurrentKeyMaterialId"] == result["KeyMaterialId"]


def test_delete_on_pending_import_key_has_no_effect(kms: Any, key: dict[str, Any]) -> None:
    deleted = kms.delete_imported_key_material(KeyId=key["KeyId"])
    assert deleted["KeyId"] == key["Arn"]
    assert key_state(kms, key["KeyId"]) == "PendingImport"
    kms.delete_imported_key_material(KeyId=key["KeyId"])  # still fine


def test_delete_keeps_pending_deletion(kms: Any, key: dict[str, Any]) -> None:
    import_material(kms, key["KeyId"], generate_key_material())
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    kms.delete_imported_key_material(KeyId=key["KeyId"])
    assert key_state(kms, key["KeyId"]) == "PendingDeletion"


def test_delete_refuses_aliases_and_aws_kms_keys(kms: Any, key: dict[str, Any]) -> None:
    kms.create_alias(AliasName="alias/del", TargetKeyId=key["KeyId"])
    assert aws_error(kms.delete_imported_key_material, KeyId="alias/del")[0] == "NotFoundException"
    plain = kms.create_key()["KeyMetadata"]
    code, message = aws_error(kms.delete_imported_key_material, KeyId=plain["KeyId"])
    assert code == "UnsupportedOperationException"
    assert message == f"{plain['Arn']} origin is AWS_KMS which is not valid for this operation."


# -- key states (spec §7) ------------------------------------------------------------------------


def test_crypto_on_disabled_and_pending_deletion_keys(kms: Any, key: dict[str, Any]) -> None:
    import_material(kms, key["KeyId"], generate_key_material())
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    kms.disable_key(KeyId=key["KeyId"])
    assert key_state(kms, key["KeyId"]) == "Disabled"
    for call, kwargs in (
        (kms.encrypt, {"KeyId": key["KeyId"], "Plaintext": b"p"}),
        (kms.decrypt, {"CiphertextBlob": blob}),
        (kms.generate_data_key, {"KeyId": key["KeyId"], "KeySpec": "AES_256"}),
    ):
        assert aws_error(call, **kwargs) == ("DisabledException", f"{key['Arn']} is disabled.")
    kms.enable_key(KeyId=key["KeyId"])
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"p"
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    assert aws_error(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"p") == (
        "KMSInvalidStateException",
        f"{key['Arn']} is pending deletion.",
    )
    kms.cancel_key_deletion(KeyId=key["KeyId"])
    assert key_state(kms, key["KeyId"]) == "Disabled"


def test_enable_and_disable_refused_while_pending_import(kms: Any, key: dict[str, Any]) -> None:
    for call in (kms.enable_key, kms.disable_key):
        assert aws_error(call, KeyId=key["KeyId"]) == (
            "KMSInvalidStateException",
            f"{key['Arn']} is pending import.",
        )
    assert key_state(kms, key["KeyId"]) == "PendingImport"


def test_schedule_deletion_works_on_pending_import_and_cancel_returns_there(
    kms: Any, key: dict[str, Any]
) -> None:
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    assert key_state(kms, key["KeyId"]) == "PendingDeletion"
    kms.cancel_key_deletion(KeyId=key["KeyId"])
    assert key_state(kms, key["KeyId"]) == "PendingImport"
    assert aws_error(kms.cancel_key_deletion, KeyId=key["KeyId"]) == (
        "KMSInvalidStateException",
        f"{key['Arn']} is not pending deletion.",
    )


def test_import_into_disabled_key_keeps_it_disabled(kms: Any, key: dict[str, Any]) -> None:
    material = generate_key_material()
    import_material(kms, key["KeyId"], material)
    kms.disable_key(KeyId=key["KeyId"])
    import_material(kms, key["KeyId"], material)
    assert key_state(kms, key["KeyId"]) == "Disabled"


def test_import_refused_while_pending_deletion(kms: Any, key: dict[str, Any]) -> None:
    p = params(kms, key["KeyId"])
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    blob = wrap_key_material(p["PublicKey"], generate_key_material(), "RSAES_OAEP_SHA_256")
    assert refused_import(kms, key["KeyId"], p["ImportToken"], blob) == (
        "KMSInvalidStateException",
        f"{key['Arn']} is pending deletion.",
    )


@pytest.mark.parametrize(
    "call", ["enable_key_rotation", "disable_key_rotation", "get_key_rotation_status"]
)
def test_automatic_rotation_unsupported(kms: Any, key: dict[str, Any], call: str) -> None:
    assert aws_error(getattr(kms, call), KeyId=key["KeyId"]) == (
        "UnsupportedOperationException",
        f"{key['Arn']} origin is EXTERNAL which is not valid for this operation.",
    )


def test_state_checks_accept_key_arns(kms: Any, key: dict[str, Any]) -> None:
    import_material(kms, key["KeyId"], generate_key_material())
    kms.disable_key(KeyId=key["Arn"])
    kms.enable_key(KeyId=key["Arn"])
    assert key_state(kms, key["KeyId"]) == "Enabled"


def test_raw_error_body_is_aws_json(kms_import: KmsImportMock) -> None:
    """The wire body is {"__type", "message"} with HTTP 400 (spec §14)."""
    import json

    import botocore.session

    session = botocore.session.get_session()
    client = session.create_client("kms", region_name="us-east-1")
    captured: dict[str, Any] = {}

    def grab(response_dict: Any, **_: Any) -> None:
        captured["status"] = response_dict["status_code"]
        captured["body"] = json.loads(response_dict["body"])

    client.meta.events.register("before-parse.kms.GetParametersForImport", grab)
    plain = client.create_key()["KeyMetadata"]
    with pytest.raises(client.exceptions.UnsupportedOperationException):
        client.get_parameters_for_import(
            KeyId=plain["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
        )
    assert captured["status"] == 400
    assert captured["body"] == {
        "__type": "UnsupportedOperationException",
        "message": f"{plain['Arn']} origin is AWS_KMS which is not valid for this operation.",
    }


def test_public_key_is_base64_on_the_wire(kms: Any, key: dict[str, Any]) -> None:
    p = params(kms, key["KeyId"])
    assert base64.b64encode(p["PublicKey"])  # boto3 decoded it: it was valid base64


def test_every_symmetric_operation_on_a_key_without_material(kms: Any, key: dict[str, Any]) -> None:
    """Encrypt, GenerateDataKey(WithoutPlaintext), Decrypt and ReEncrypt (either side) all answer
    AWS's exact pending-import error while the key has no material."""
    material = generate_key_material()
    import_material(kms, key["KeyId"], material)
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    plain = kms.create_key()["KeyMetadata"]["KeyId"]
    other_blob = kms.encrypt(KeyId=plain, Plaintext=b"q")["CiphertextBlob"]
    kms.delete_imported_key_material(KeyId=key["KeyId"])
    expected = ("KMSInvalidStateException", f"{key['Arn']} is pending import.")
    for call, kwargs in (
        (kms.encrypt, {"KeyId": key["KeyId"], "Plaintext": b"p"}),
        (kms.generate_data_key, {"KeyId": key["KeyId"], "KeySpec": "AES_256"}),
        (kms.generate_data_key_without_plaintext, {"KeyId": key["KeyId"], "NumberOfBytes": 16}),
        (kms.decrypt, {"CiphertextBlob": blob}),
        (kms.re_encrypt, {"CiphertextBlob": blob, "DestinationKeyId": plain}),
        (kms.re_encrypt, {"CiphertextBlob": other_blob, "DestinationKeyId": key["KeyId"]}),
    ):
        assert aws_error(call, **kwargs) == expected, call
    assert key_state(kms, key["KeyId"]) == "PendingImport"
