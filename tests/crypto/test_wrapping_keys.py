"""The wrapping key pool: distinct keys, fixed per slot, thread-safe, robust to a damaged bundle,
and never generating a key on the request path."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from kms_import_mock import mock_kms_import, wrap_key_material
from kms_import_mock.crypto import wrapping_keys as _wrapping_keys
from kms_import_mock.crypto.keyspecs import RSA_BITS, RSA_WRAPPING_KEY_SPECS
from kms_import_mock.crypto.wrapping_keys import (
    POOL_SIZE,
    BundleError,
    WrappingKeyPool,
    decode_bundle,
    encode_bundle,
    key_from_primes,
)
from tests.helpers import aws_error, key_state


def _no_generation(spec: str) -> rsa.RSAPrivateKey:
    raise AssertionError(f"an RSA key was generated for {spec}")


@pytest.fixture(scope="module")
def small_keys() -> list[rsa.RSAPrivateKey]:
    # RSA-1024 keeps the bundle tests fast; the pool is told the spec is RSA_2048 only by name.
    return [rsa.generate_private_key(65537, 1024) for _ in range(3)]


@pytest.fixture
def pool_without_generation(monkeypatch: pytest.MonkeyPatch) -> WrappingKeyPool:
    pool = WrappingKeyPool(generate=_no_generation)
    monkeypatch.setattr(_wrapping_keys, "POOL", pool)
    return pool


# -- the shipped bundle ---------------------------------------------------------------------------


def test_shipped_bundle_covers_every_rsa_spec_with_distinct_keys() -> None:
    primes = decode_bundle(_wrapping_keys._packaged_bundle())
    assert set(primes) == set(RSA_WRAPPING_KEY_SPECS)
    pool = WrappingKeyPool(generate=_no_generation)
    moduli = set()
    for spec in RSA_WRAPPING_KEY_SPECS:
        assert len(primes[spec]) >= POOL_SIZE
        for slot in range(POOL_SIZE):
            key = pool.private_key(spec, slot)
            assert key.key_size == RSA_BITS[spec]
            moduli.add(key.public_key().public_numbers().n)
    assert len(moduli) == POOL_SIZE * len(RSA_WRAPPING_KEY_SPECS)


@pytest.mark.parametrize("spec", RSA_WRAPPING_KEY_SPECS)
def test_consecutive_slots_are_distinct_then_repeat(spec: str) -> None:
    pool = WrappingKeyPool(generate=_no_generation)
    slots = [pool.acquire(spec) for _ in range(POOL_SIZE + 1)]
    assert slots == [*range(POOL_SIZE), 0]
    public = [pool.public_key_der(spec, s) for s in slots]
    assert len(set(public[:POOL_SIZE])) == POOL_SIZE
    assert public[POOL_SIZE] == public[0]


def test_a_slot_keeps_its_key_and_the_public_key_matches() -> None:
    pool = WrappingKeyPool(generate=_no_generation)
    first = pool.key("RSA_2048", 3)
    assert pool.key("RSA_2048", 3) is first
    assert first.public_der == _wrapping_keys.WrappingKey.of(first.private).public_der


def test_slot_outside_the_pool_is_refused() -> None:
    with pytest.raises(IndexError):
        WrappingKeyPool().key("RSA_2048", POOL_SIZE)


# -- bundle format and damage ---------------------------------------------------------------------


def test_bundle_round_trip(small_keys: list[rsa.RSAPrivateKey]) -> None:
    decoded = decode_bundle(encode_bundle({"RSA_2048": small_keys}))
    for key, (p, q) in zip(small_keys, decoded["RSA_2048"], strict=True):
        rebuilt = key_from_primes(p, q, 1024)
        assert rebuilt.private_numbers() == key.private_numbers()


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b[:-1], id="truncated"),
        pytest.param(lambda b: b[:40] + bytes([b[40] ^ 1]) + b[41:], id="flipped-bit"),
        pytest.param(lambda b: b"", id="empty"),
        pytest.param(lambda b: b"-----BEGIN" + b, id="wrong-magic"),
    ],
)
def test_damaged_bundle_is_refused(small_keys: list[rsa.RSAPrivateKey], damage: Any) -> None:
    with pytest.raises(BundleError):
        decode_bundle(damage(encode_bundle({"RSA_2048": small_keys})))


def _counting_generator(size: int = 1024) -> tuple[Any, Counter[str]]:
    calls: Counter[str] = Counter()
    lock = threading.Lock()

    def generate(spec: str) -> rsa.RSAPrivateKey:
        with lock:
            calls[spec] += 1
        return rsa.generate_private_key(65537, size)

    return generate, calls


def test_unreadable_bundle_falls_back_to_generation(caplog: pytest.LogCaptureFixture) -> None:
    def missing() -> bytes:
        raise FileNotFoundError("_wrapping_keys.bin")

    generate, calls = _counting_generator()
    pool = WrappingKeyPool(4, bundle=missing, generate=generate)
    with caplog.at_level(logging.WARNING, logger=_wrapping_keys.__name__):
        keys = {pool.public_key_der("RSA_2048", pool.acquire("RSA_2048")) for _ in range(4)}
    assert len(keys) == 4
    assert calls == Counter({"RSA_2048": 4})
    assert "unreadable" in caplog.text


def test_corrupt_bundle_falls_back_to_generation(
    small_keys: list[rsa.RSAPrivateKey], caplog: pytest.LogCaptureFixture
) -> None:
    data = bytearray(encode_bundle({"RSA_2048": small_keys}))
    data[-1] ^= 0xFF
    generate, calls = _counting_generator()
    pool = WrappingKeyPool(2, bundle=lambda: bytes(data), generate=generate)
    with caplog.at_level(logging.WARNING, logger=_wrapping_keys.__name__):
        pool.key("RSA_2048", 0)
    assert calls["RSA_2048"] == 1
    assert "checksum" in caplog.text


def test_bundled_key_of_the_wrong_size_is_replaced(
    small_keys: list[rsa.RSAPrivateKey], caplog: pytest.LogCaptureFixture
) -> None:
    # A well-formed bundle whose RSA_2048 entries are 1024-bit: never hand out a short key.
    generate, calls = _counting_generator()
    bundle = encode_bundle({"RSA_2048": small_keys})
    pool = WrappingKeyPool(2, bundle=lambda: bundle, generate=generate)
    with caplog.at_level(logging.WARNING, logger=_wrapping_keys.__name__):
        pool.key("RSA_2048", 1)
    assert calls["RSA_2048"] == 1
    assert "unusable" in caplog.text


def test_spec_missing_from_bundle_is_generated(small_keys: list[rsa.RSAPrivateKey]) -> None:
    generate, calls = _counting_generator()
    bundle = encode_bundle({"RSA_3072": []})
    pool = WrappingKeyPool(2, bundle=lambda: bundle, generate=generate)
    pool.key("RSA_2048", 0)
    pool.key("RSA_2048", 0)
    assert calls["RSA_2048"] == 1


# -- threads --------------------------------------------------------------------------------------


def test_threads_share_one_key_per_slot_and_balanced_slots() -> None:
    generate, calls = _counting_generator()
    pool = WrappingKeyPool(4, bundle=None, generate=generate)
    barrier = threading.Barrier(8)
    seen: list[tuple[int, bytes]] = []
    seen_lock = threading.Lock()

    def worker() -> None:
        barrier.wait()
        for _ in range(20):
            slot = pool.acquire("RSA_2048")
            der = pool.public_key_der("RSA_2048", slot)
            with seen_lock:
                seen.append((slot, der))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls["RSA_2048"] == 4  # each slot's key made exactly once
    assert Counter(slot for slot, _ in seen) == Counter(dict.fromkeys(range(4), 40))
    by_slot: dict[int, set[bytes]] = {}
    for slot, der in seen:
        by_slot.setdefault(slot, set()).add(der)
    assert all(len(ders) == 1 for ders in by_slot.values())
    assert len({next(iter(d)) for d in by_slot.values()}) == 4


# -- through the API: no generation on the request path, tokens pair with their public key -------


def test_no_key_is_generated_for_external_keys_or_wrapping(
    pool_without_generation: WrappingKeyPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    import moto.kms.models

    def refuse(key_spec: str) -> None:
        raise AssertionError(f"moto generated a {key_spec} key")

    # The refusal replaces what the mock installed, so it is undone before the mock stops:
    # undone after, it would put the mock's lazy key factory back into plain moto.
    with mock_kms_import() as m, monkeypatch.context() as patch:
        kms = m.client()
        patch.setattr(moto.kms.models, "generate_private_key", refuse)
        for key_spec in ("SYMMETRIC_DEFAULT", "HMAC_256", "RSA_2048", "ECC_NIST_P256"):
            kms.create_key(Origin="EXTERNAL", KeySpec=key_spec, KeyUsage=_usage(key_spec))
        key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
        for spec in RSA_WRAPPING_KEY_SPECS:
            for _ in range(POOL_SIZE):
                kms.get_parameters_for_import(
                    KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec=spec
                )


def _usage(key_spec: str) -> str:
    return {"HMAC_256": "GENERATE_VERIFY_MAC", "ECC_NIST_P256": "SIGN_VERIFY"}.get(
        key_spec, "ENCRYPT_DECRYPT"
    )


def test_token_unwraps_only_material_wrapped_with_its_own_public_key() -> None:
    material = b"\x07" * 32
    with mock_kms_import() as m:
        kms = m.client()
        key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
        first, second = (
            kms.get_parameters_for_import(
                KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
            )
            for _ in range(2)
        )
        assert first["PublicKey"] != second["PublicKey"]
        crossed = wrap_key_material(second["PublicKey"], material, "RSAES_OAEP_SHA_256")
        code, _ = aws_error(
            kms.import_key_material,
            KeyId=key_id,
            ImportToken=first["ImportToken"],
            EncryptedKeyMaterial=crossed,
            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
        )
        assert code == "InvalidCiphertextException"
        assert key_state(kms, key_id) == "PendingImport"
        kms.import_key_material(
            KeyId=key_id,
            ImportToken=second["ImportToken"],
            EncryptedKeyMaterial=crossed,
            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
        )
        assert key_state(kms, key_id) == "Enabled"


def test_material_wrapped_under_another_algorithm_names_the_tokens_algorithm() -> None:
    material = b"\x07" * 32
    with mock_kms_import() as m:
        kms = m.client()
        key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
        params = kms.get_parameters_for_import(
            KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
        )
        wrapped = wrap_key_material(params["PublicKey"], material, "RSAES_OAEP_SHA_1")
        code, message = aws_error(
            kms.import_key_material,
            KeyId=key_id,
            ImportToken=params["ImportToken"],
            EncryptedKeyMaterial=wrapped,
            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
        )
        assert code == "InvalidCiphertextException"
        assert message == (
            "The request was rejected because KMS could not decrypt the encrypted (wrapped) key "
            "material. Wrap it with RSAES_OAEP_SHA_256 under the RSA_2048 public key returned "
            "with this import token."
        )
        assert key_state(kms, key_id) == "PendingImport"
