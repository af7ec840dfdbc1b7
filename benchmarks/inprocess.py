"""B1-B4 and the cost of entering the mock: boto3 in-process, ``mock_kms_import`` vs ``mock_aws``.

One boto3 client serves every block (creating clients is boto3's cost, not ours): moto's request
interception is a botocore handler that each ``mock_aws`` start switches on for existing clients.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import random
import statistics
import time
from typing import Any

from benchmarks._harness import Batch, Report, Stopwatch, rss_bytes, side_by_side, time_batch

ACCOUNT = "123456789012"
REGION = "us-east-1"
BIG_REGION = "eu-west-1"
OAEP = "RSAES_OAEP_SHA_256"
WRAPPING_SPECS = ("RSA_2048", "RSA_3072", "RSA_4096")
QUICK = os.environ.get("BENCH_QUICK") == "1"


def _rounds(n: int) -> int:
    return max(3, n // 3) if QUICK else n


def client(region: str = REGION) -> Any:
    import boto3

    return boto3.client("kms", region_name=region)


def _external_key(kms: Any) -> str:
    key_id: str = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    return key_id


def import_cycle(kms: Any, material: bytes, wrapping_key_spec: str = "RSA_4096") -> None:
    """CreateKey EXTERNAL, GetParametersForImport, wrap, ImportKeyMaterial, Encrypt, Decrypt."""
    from kms_import_mock import wrap_key_material

    key_id = _external_key(kms)
    params = kms.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm=OAEP, WrappingKeySpec=wrapping_key_spec
    )
    kms.import_key_material(
        KeyId=key_id,
        ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=wrap_key_material(params["PublicKey"], material, OAEP),
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
    )
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"benchmark")["CiphertextBlob"]
    kms.decrypt(CiphertextBlob=blob)


def plain_cycle(kms: Any) -> None:
    """Plain moto's nearest cycle: CreateKey + Encrypt + Decrypt."""
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"benchmark")["CiphertextBlob"]
    kms.decrypt(CiphertextBlob=blob)


def run(report: Report) -> None:
    from moto import mock_aws

    from kms_import_mock import mock_kms_import

    kms = client()
    material = os.urandom(32)

    # -- wrapping keys: the bundle vs generating them ------------------------------------------
    from kms_import_mock.crypto.wrapping_keys import POOL_SIZE, WrappingKeyPool

    fresh = WrappingKeyPool()
    start = time.perf_counter()
    for spec in WRAPPING_SPECS:
        for slot in range(POOL_SIZE):
            fresh.key(spec, slot)
    report.note(
        f"loading all {POOL_SIZE * len(WRAPPING_SPECS)} bundled wrapping keys took "
        f"{(time.perf_counter() - start) * 1000:.1f} ms (generating them costs ~8 s of CPU)"
    )

    # -- cold start: the very first GetParametersForImport calls of the process ----------------
    with mock_kms_import():
        key_id = _external_key(kms)
        cold = []
        for _ in range(16):
            start = time.perf_counter()
            kms.get_parameters_for_import(
                KeyId=key_id, WrappingAlgorithm=OAEP, WrappingKeySpec="RSA_4096"
            )
            cold.append(time.perf_counter() - start)
        report.note(
            "cold start: the first 16 GetParametersForImport RSA_4096 of the process (every slot "
            "on first use, and botocore's first use of the operation) took "
            f"{max(cold) * 1000:.1f} ms at most, {sum(cold) / len(cold) * 1000:.1f} ms on average"
        )

    def plain_create_keys() -> tuple[int, float]:
        with mock_aws(), Stopwatch() as watch:
            for _ in range(4):
                kms.create_key()
        return 4, watch.elapsed

    # -- B1 -------------------------------------------------------------------------------------
    for spec in WRAPPING_SPECS:

        def gpfi(spec: str = spec) -> tuple[int, float]:
            with mock_kms_import():
                key_id = _external_key(kms)
                with Stopwatch() as watch:
                    for _ in range(20):
                        kms.get_parameters_for_import(
                            KeyId=key_id, WrappingAlgorithm=OAEP, WrappingKeySpec=spec
                        )
            return 20, watch.elapsed

        c = side_by_side(gpfi, plain_create_keys, _rounds(9))
        report.compare(f"B1 GetParametersForImport {spec} / moto CreateKey", c, at_most=0.10)

    # -- CreateKey EXTERNAL generates no key material --------------------------------------------
    def external_create_keys() -> tuple[int, float]:
        with mock_kms_import(), Stopwatch() as watch:
            for _ in range(20):
                _external_key(kms)
        return 20, watch.elapsed

    c = side_by_side(external_create_keys, plain_create_keys, _rounds(7))
    report.compare("   CreateKey Origin=EXTERNAL / moto CreateKey", c)

    # -- B2 -------------------------------------------------------------------------------------
    def ours_cycles() -> tuple[int, float]:
        with mock_kms_import(), Stopwatch() as watch:
            for _ in range(8):
                import_cycle(kms, material)
        return 8, watch.elapsed

    def plain_cycles() -> tuple[int, float]:
        with mock_aws(), Stopwatch() as watch:
            for _ in range(4):
                plain_cycle(kms)
        return 4, watch.elapsed

    c = side_by_side(ours_cycles, plain_cycles, _rounds(11))
    report.compare("B2 import cycle / moto CreateKey+Encrypt+Decrypt", c, at_most=0.25)

    # -- B3 -------------------------------------------------------------------------------------
    def encrypt_decrypt(mock: Any) -> Batch:
        def batch() -> tuple[int, float]:
            with mock():
                key_id = kms.create_key()["KeyMetadata"]["KeyId"]
                with Stopwatch() as watch:
                    for _ in range(40):
                        blob = kms.encrypt(KeyId=key_id, Plaintext=b"benchmark")
                        kms.decrypt(CiphertextBlob=blob["CiphertextBlob"])
            return 40, watch.elapsed

        return batch

    c = side_by_side(encrypt_decrypt(mock_kms_import), encrypt_decrypt(mock_aws), _rounds(41))
    report.compare("B3 Encrypt+Decrypt, AWS_KMS key: ours / mock_aws", c, at_most=0.97)

    # -- entering the mock ---------------------------------------------------------------------
    def enter(mock: Any) -> Batch:
        def batch() -> tuple[int, float]:
            with Stopwatch() as watch:
                for _ in range(20):
                    with mock():
                        pass
            return 20, watch.elapsed

        return batch

    c = side_by_side(enter(mock_kms_import), enter(mock_aws), _rounds(21))
    report.compare("entering+leaving mock_kms_import() / mock_aws()", c, at_most=1.1)

    # -- B4 -------------------------------------------------------------------------------------
    b4(report, material)


def b4(report: Report, material: bytes) -> None:
    """Per-operation latency with 10,000 imported keys (half expiring) vs with 10.

    Two Regions of one mock: ``small`` holds 10 imported keys, ``big`` 10,000; the same
    operations alternate between them round by round, so the ratio isolates how the backend's
    structures (key dicts, the expiry heap, the lazy sweep) scale, on one process heap. The
    sequential before/after figure (10 keys in a fresh process vs 10,000) is printed as info.
    """
    from kms_import_mock import mock_kms_import

    small_kms, big_kms = client(), client(BIG_REGION)
    with mock_kms_import() as m:
        small = _backend(small_kms, REGION)
        big = _backend(big_kms, BIG_REGION)
        from benchmarks.savings import fast_unwrap

        with fast_unwrap():
            few = _populate(small, 10, material, m.now())
        small_ops = _operations(small_kms, few)
        before_ops = _median_op(small_ops)
        gc.collect()
        rss_before = rss_bytes()
        with fast_unwrap():
            many = _populate(big, 10_000, material, m.now())
        gc.collect()
        per_key = (rss_bytes() - rss_before) / len(many)
        c = side_by_side(_operations(big_kms, many), small_ops, _rounds(15))
        after_ops = _median_op(small_ops)
    report.compare("B4 per-op latency, 10,000 imported keys / 10 keys", c, at_most=1.2)
    report.ratio(
        "   (sequential) 10 keys with 10,000 more in memory / before",
        after_ops,
        before_ops,
    )
    report.note(
        f"B4 resident memory per imported key: {per_key / 1024:.1f} KiB (RSS growth over "
        "10,000 EXTERNAL keys with imported symmetric material, half of them expiring); "
        "operations: Encrypt, Decrypt, DescribeKey, GetParametersForImport on random keys"
    )


def _backend(kms: Any, region: str) -> Any:
    from moto.kms.models import kms_backends

    kms.list_keys()  # builds the Region's backend
    return kms_backends[ACCOUNT][region]


def _populate(backend: Any, n: int, material: bytes, now: dt.datetime) -> list[str]:
    """``n`` EXTERNAL keys with imported material, created at backend level (no HTTP).

    Each goes through the real GetParametersForImport and ImportKeyMaterial of the backend; the
    wrapped blob is made once per pool slot (it depends only on the public key) and reused.
    """
    from kms_import_mock import wrap_key_material

    blobs: dict[bytes, bytes] = {}
    ids = []
    for i in range(n):
        key = backend.create_key(
            None, "ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT", "", None, origin="EXTERNAL"
        )
        _, token, public_key, _ = backend.get_parameters_for_import(key.id, OAEP, "RSA_2048")
        blob = blobs.get(public_key)
        if blob is None:
            blob = blobs[public_key] = wrap_key_material(public_key, material, OAEP)
        if i % 2:
            backend.import_key_material(
                key.id, token, blob, valid_to=now + dt.timedelta(days=1, seconds=i)
            )
        else:
            backend.import_key_material(
                key.id, token, blob, expiration_model="KEY_MATERIAL_DOES_NOT_EXPIRE"
            )
        ids.append(key.id)
    return ids


def _depopulate(backend: Any, ids: list[str]) -> None:
    for key_id in ids:
        del backend.keys[key_id]
        del backend.imports[key_id]


def _operations(kms: Any, ids: list[str]) -> Batch:
    rng = random.Random(7)

    def batch() -> tuple[int, float]:
        keys = [rng.choice(ids) for _ in range(10)]
        with Stopwatch() as watch:
            for key_id in keys:
                blob = kms.encrypt(KeyId=key_id, Plaintext=b"benchmark")["CiphertextBlob"]
                kms.decrypt(CiphertextBlob=blob)
                kms.describe_key(KeyId=key_id)
                kms.get_parameters_for_import(
                    KeyId=key_id, WrappingAlgorithm=OAEP, WrappingKeySpec="RSA_2048"
                )
        return 40, watch.elapsed

    return batch


def _median_op(batch: Batch) -> float:
    time_batch(batch)
    return statistics.median(time_batch(batch) for _ in range(_rounds(9)))
