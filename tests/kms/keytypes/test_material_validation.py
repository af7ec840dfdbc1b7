"""What ImportKeyMaterial accepts as HMAC, RSA and ECC material (spec §2, §5.3, §5.6), and that a
refused import leaves the key exactly as it was."""

from __future__ import annotations

import random
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from kms_import_mock.crypto import keyspecs as _keyspecs
from tests.helpers import aws_error, import_material
from tests.keymaterial import (
    ECC_SPECS,
    HMAC_SPECS,
    RSA_SPECS,
    der_pkcs8,
    integer,
    pkcs8,
    private_key,
    sequence,
    tlv,
    to_ber,
)

RSA_OID = bytes.fromhex("06092a864886f70d010101") + b"\x05\x00"


def create(kms: Any, spec: str) -> tuple[str, str]:
    usage = _keyspecs.KEY_USAGES[spec][0]
    metadata = kms.create_key(Origin="EXTERNAL", KeySpec=spec, KeyUsage=usage)["KeyMetadata"]
    return metadata["KeyId"], metadata["Arn"]


def refused(kms: Any, key_id: str, material: bytes) -> str:
    """Import ``material``; assert IncorrectKeyMaterialException and an unchanged key."""
    before = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    code, message = aws_error(import_material, kms, key_id, material)
    assert code == "IncorrectKeyMaterialException"
    after = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert after == before
    return message


# -- HMAC ------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", HMAC_SPECS)
def test_hmac_lengths_from_spec_size_to_128_bytes_are_accepted(kms: Any, spec: str) -> None:
    low = _keyspecs.HMAC_MIN_BYTES[spec]
    for length in sorted({low, low + 1, 100, 128}):
        key_id, _ = create(kms, spec)
        assert set(import_material(kms, key_id, bytes([7]) * length)) == {
            "KeyId",
            "ResponseMetadata",
        }


@pytest.mark.parametrize("spec", HMAC_SPECS)
def test_hmac_lengths_outside_the_range_are_refused(kms: Any, spec: str) -> None:
    low = _keyspecs.HMAC_MIN_BYTES[spec]
    key_id, arn = create(kms, spec)
    for length in (1, low - 1, 129):
        assert refused(kms, key_id, bytes(length)) == (
            f"Key material for a {spec} key must be {low} to 128 bytes; got {length} bytes. "
            f"(key {arn})"
        )


# -- RSA and ECC: accepted encodings ---------------------------------------------------------


@pytest.mark.parametrize("spec", RSA_SPECS + ECC_SPECS)
def test_ber_encoded_pkcs8_is_accepted_and_is_the_same_key(kms: Any, spec: str) -> None:
    key_id, arn = create(kms, spec)
    import_material(kms, key_id, to_ber(pkcs8(spec)))
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
    # Reimport of the same key, now DER-encoded: the same material.
    response = import_material(kms, key_id, pkcs8(spec))
    assert set(response) == {"KeyId", "ResponseMetadata"}
    assert response["KeyId"] == arn


@pytest.mark.parametrize("spec", ECC_SPECS)
def test_ecc_key_without_public_key_or_with_compressed_point(kms: Any, spec: str) -> None:
    key = private_key(spec)
    outer = sequence(
        integer(0),
        sequence(
            bytes.fromhex("06072a8648ce3d0201"),
            _curve_oid(spec),
        ),
        tlv(0x04, sequence(integer(1), tlv(0x04, _scalar(key)))),
    )
    key_id, _ = create(kms, spec)
    import_material(kms, key_id, outer)  # RFC 5915 publicKey is optional
    compressed = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
    )
    with_point = sequence(
        integer(0),
        sequence(bytes.fromhex("06072a8648ce3d0201"), _curve_oid(spec)),
        tlv(
            0x04,
            sequence(
                integer(1), tlv(0x04, _scalar(key)), tlv(0xA1, tlv(0x03, b"\x00" + compressed))
            ),
        ),
    )
    import_material(kms, key_id, with_point)  # the same key: reimport accepted
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"


def _scalar(key: ec.EllipticCurvePrivateKey) -> bytes:
    size = (key.curve.key_size + 7) // 8
    return key.private_numbers().private_value.to_bytes(size, "big")


def _curve_oid(spec: str) -> bytes:
    return {
        "ECC_NIST_P256": bytes.fromhex("06082a8648ce3d030107"),
        "ECC_NIST_P384": bytes.fromhex("06052b81040022"),
        "ECC_NIST_P521": bytes.fromhex("06052b81040023"),
        "ECC_SECG_P256K1": bytes.fromhex("06052b8104000a"),
    }[spec]


# -- RSA and ECC: refused material -----------------------------------------------------------


@pytest.mark.parametrize("spec", RSA_SPECS + ECC_SPECS)
def test_material_that_is_not_pkcs8_is_refused(kms: Any, spec: str) -> None:
    key_id, arn = create(kms, spec)
    key = private_key(spec)
    expected = (
        f"Key material must be an unencrypted PKCS#8 private key (DER or BER) for {spec}. "
        f"(key {arn})"
    )
    traditional = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    encrypted = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    for material in (traditional, encrypted, pem, bytes(32), pkcs8(spec)[:-1], pkcs8(spec) + b"\0"):
        assert refused(kms, key_id, material) == expected


@pytest.mark.parametrize("spec", RSA_SPECS)
def test_rsa_modulus_must_match_the_spec(kms: Any, spec: str) -> None:
    other = "RSA_2048" if spec != "RSA_2048" else "RSA_3072"
    key_id, arn = create(kms, spec)
    bits = _keyspecs.RSA_BITS[spec]
    assert refused(kms, key_id, pkcs8(other)) == (
        f"Key material for {spec} must have a {bits}-bit modulus; "
        f"got {_keyspecs.RSA_BITS[other]} bits. (key {arn})"
    )


@pytest.mark.parametrize("spec", RSA_SPECS)
def test_ecc_material_is_refused_for_an_rsa_key(kms: Any, spec: str) -> None:
    key_id, arn = create(kms, spec)
    assert refused(kms, key_id, pkcs8("ECC_NIST_P256")) == (
        f"Key material for {spec} must be an RSA private key (rsaEncryption PKCS#8). (key {arn})"
    )


_SMALL_PRIMES = [n for n in range(3, 2000, 2) if all(n % d for d in range(3, int(n**0.5) + 1, 2))]


def _probable_prime(bits: int, rng: random.Random) -> int:
    while True:
        candidate = rng.getrandbits(bits) | (3 << (bits - 2)) | 1
        if all(candidate % p for p in _SMALL_PRIMES) and all(
            pow(a, candidate - 1, candidate) == 1 for a in (2, 3, 5)
        ):
            return candidate


@pytest.fixture(scope="module")
def three_prime_rsa_2048() -> bytes:
    """A genuine three-prime RSA-2048 key (RFC 3447 version 1, otherPrimeInfos) as PKCS#8."""
    rng = random.Random(3447)
    e = 65537
    while True:
        # Top two bits set: 683 + 683 + 682 bits always multiply to a 2048-bit modulus.
        p, q, r = (_probable_prime(bits, rng) for bits in (683, 683, 682))
        n = p * q * r
        phi = (p - 1) * (q - 1) * (r - 1)
        if n.bit_length() == 2048 and len({p, q, r}) == 3 and phi % e:
            break
    d = pow(e, -1, phi)
    other = sequence(sequence(integer(r), integer(d % (r - 1)), integer(pow(p * q, -1, r))))
    rsa_key = sequence(
        integer(1),
        integer(n),
        integer(e),
        integer(d),
        integer(p),
        integer(q),
        integer(d % (p - 1)),
        integer(d % (q - 1)),
        integer(pow(q, -1, p)),
        other,
    )
    return sequence(integer(0), sequence(RSA_OID), tlv(0x04, rsa_key))


def test_multi_prime_rsa_is_refused(kms: Any, three_prime_rsa_2048: bytes) -> None:
    key_id, arn = create(kms, "RSA_2048")
    message = (
        "Key material for RSA_2048 must be a two-prime RSA private key; multi-prime RSA keys "
        f"cannot be imported. (key {arn})"
    )
    assert refused(kms, key_id, three_prime_rsa_2048) == message
    assert refused(kms, key_id, to_ber(three_prime_rsa_2048)) == message


def test_inconsistent_rsa_key_is_refused(kms: Any) -> None:
    numbers = private_key("RSA_2048").private_numbers()
    damaged = sequence(
        integer(0),
        sequence(RSA_OID),
        tlv(
            0x04,
            sequence(
                integer(0),
                integer(numbers.public_numbers.n),
                integer(numbers.public_numbers.e),
                integer(numbers.d + 2),
                integer(numbers.p),
                integer(numbers.q),
                integer(numbers.dmp1),
                integer(numbers.dmq1),
                integer(numbers.iqmp),
            ),
        ),
    )
    key_id, arn = create(kms, "RSA_2048")
    assert refused(kms, key_id, damaged) == (
        "Key material for RSA_2048 must be a consistent RSA private key; its primes, exponents "
        f"and CRT coefficient do not match its modulus. (key {arn})"
    )


@pytest.mark.parametrize("spec", ECC_SPECS)
def test_ecc_curve_must_be_the_specs_named_curve(kms: Any, spec: str) -> None:
    other = "ECC_NIST_P384" if spec != "ECC_NIST_P384" else "ECC_NIST_P256"
    key_id, arn = create(kms, spec)
    curve = _keyspecs.ECC_CURVES[spec]().name
    got = _keyspecs.ECC_CURVES[other]().name
    assert refused(kms, key_id, pkcs8(other)) == (
        f"Key material for {spec} must use the named curve {curve}; got {got}. (key {arn})"
    )
    assert refused(kms, key_id, pkcs8("RSA_2048")) == (
        f"Key material for {spec} must be an EC private key on {curve}. (key {arn})"
    )


def test_explicit_curve_parameters_are_refused(kms: Any) -> None:
    key = private_key("ECC_NIST_P256")
    # secp256r1 written out as explicit ECParameters (RFC 3279), not by its OID.
    prime = 2**256 - 2**224 + 2**192 + 2**96 - 1
    a = prime - 3
    b = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
    gx = 0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296
    gy = 0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    parameters = sequence(
        integer(1),
        sequence(bytes.fromhex("06072a8648ce3d0101"), integer(prime)),
        sequence(tlv(0x04, a.to_bytes(32, "big")), tlv(0x04, b.to_bytes(32, "big"))),
        tlv(0x04, b"\x04" + gx.to_bytes(32, "big") + gy.to_bytes(32, "big")),
        integer(order),
        integer(1),
    )
    material = sequence(
        integer(0),
        sequence(bytes.fromhex("06072a8648ce3d0201"), parameters),
        tlv(0x04, sequence(integer(1), tlv(0x04, _scalar(key)))),
    )
    key_id, arn = create(kms, "ECC_NIST_P256")
    assert refused(kms, key_id, material) == (
        "Key material for ECC_NIST_P256 must name the curve secp256r1; explicit curve parameters "
        f"are not accepted. (key {arn})"
    )


# -- reimport identity and the one-material rule ---------------------------------------------


@pytest.mark.parametrize("spec", ["HMAC_256", "RSA_2048", "ECC_NIST_P256", "ECC_SECG_P256K1"])
def test_reimport_same_material_is_accepted_different_is_refused(kms: Any, spec: str) -> None:
    key_id, arn = create(kms, spec)
    first = bytes(range(32)) if spec == "HMAC_256" else pkcs8(spec)
    second = bytes(range(1, 33)) if spec == "HMAC_256" else pkcs8(spec, variant=1)
    import_material(kms, key_id, first)
    import_material(kms, key_id, first)
    expected = (
        f"The key material is not the same key material that was previously imported into {arn}."
    )
    assert refused(kms, key_id, second) == expected
    # Also after deleting the material: only the original can come back.
    kms.delete_imported_key_material(KeyId=key_id)
    assert refused(kms, key_id, second) == expected
    import_material(kms, key_id, first)
    metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert metadata["KeyState"] == "Enabled"
    assert "CurrentKeyMaterialId" not in metadata
    deleted = kms.delete_imported_key_material(KeyId=key_id)
    assert set(deleted) == {"KeyId", "ResponseMetadata"}


@pytest.mark.parametrize("spec", ["HMAC_224", "RSA_3072", "ECC_NIST_P384"])
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ImportType", "EXISTING_KEY_MATERIAL"),
        ("ImportType", "NEW_KEY_MATERIAL"),
        ("KeyMaterialId", "a" * 64),
        ("KeyMaterialDescription", "rotation one"),
    ],
)
def test_symmetric_only_parameters_are_refused(kms: Any, spec: str, name: str, value: str) -> None:
    key_id, arn = create(kms, spec)
    material = bytes(64) if spec.startswith("HMAC") else pkcs8(spec)
    code, message = aws_error(import_material, kms, key_id, material, **{name: value})
    assert (code, message) == (
        "ValidationException",
        f"{name} is only valid for SYMMETRIC_DEFAULT keys; {arn} is a {spec} key, which has "
        "exactly one key material.",
    )
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingImport"


@pytest.mark.parametrize("spec", ["HMAC_512", "RSA_4096", "ECC_NIST_P521"])
def test_import_response_and_metadata_carry_no_material_id(kms: Any, spec: str) -> None:
    key_id, arn = create(kms, spec)
    material = bytes(64) if spec.startswith("HMAC") else pkcs8(spec)
    response = import_material(
        kms, key_id, material, ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE"
    )
    assert {k: v for k, v in response.items() if k != "ResponseMetadata"} == {"KeyId": arn}
    metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert metadata["ExpirationModel"] == "KEY_MATERIAL_DOES_NOT_EXPIRE"
    assert "CurrentKeyMaterialId" not in metadata


def test_der_and_ber_material_of_one_key_are_one_material() -> None:
    from kms_import_mock.crypto import material as _material

    for spec in RSA_SPECS + ECC_SPECS:
        der = _material.validate(spec, pkcs8(spec))
        ber = _material.validate(spec, to_ber(pkcs8(spec)))
        assert der.canonical == ber.canonical == der_pkcs8(private_key(spec))
        assert _material.material_id("k", der) == _material.material_id("k", ber)
