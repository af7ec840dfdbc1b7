"""What the speed-ups buy: CreateKey without key generation, the first client of an activation,
ordinary requests (B3), aliases at scale, memory per imported key and the expiry sweep.

Every figure is measured side by side with plain moto (``mock_aws``) in the same run, as in
``inprocess``; budgets that have no plain-moto counterpart (memory, sweep time) are shown as a
ratio to the budget.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import os
import random
import time
from collections.abc import Iterator
from typing import Any

from benchmarks._harness import Batch, Report, Stopwatch, rss_bytes, side_by_side
from benchmarks.inprocess import ACCOUNT, REGION, _rounds, client

ALIAS_REGION = "ap-southeast-2"
MEMORY_REGION = "eu-central-1"
SWEEP_REGION = "ca-central-1"
BIG = 50_000
USER_AGENT = (
    "Boto3/1.40.0 md/Botocore#1.40.0 ua/2.1 os/linux#6.8.0 md/arch#x86_64 lang/python#3.11.7 "
    "md/pyimpl#CPython m/b,D cfg/retry-mode#legacy Botocore/1.40.0"
)


def run(report: Report) -> None:
    lazy_keys(report)
    first_client(report)
    ordinary_requests(report)
    aliases(report)
    memory_and_sweep(report)


# -- lazy private keys -------------------------------------------------------------------------

_USAGE = {
    "HMAC_256": "GENERATE_VERIFY_MAC",
    "RSA_2048": "SIGN_VERIFY",
    "ECC_NIST_P256": "SIGN_VERIFY",
}


def _create_keys(mock: Any, kms: Any, n: int, spec: str | None) -> Batch:
    kwargs = (
        {} if spec is None else {"KeySpec": spec, "KeyUsage": _USAGE.get(spec, "ENCRYPT_DECRYPT")}
    )

    def batch() -> tuple[int, float]:
        with mock(), Stopwatch() as watch:
            for _ in range(n):
                kms.create_key(**kwargs)
        return n, watch.elapsed

    return batch


def lazy_keys(report: Report) -> None:
    from moto import mock_aws

    from kms_import_mock import mock_kms_import

    kms = client()
    for spec in ("SYMMETRIC_DEFAULT", "HMAC_256", "RSA_2048"):
        c = side_by_side(
            _create_keys(mock_kms_import, kms, 12, spec),
            _create_keys(mock_aws, kms, 3, spec),
            _rounds(7),
        )
        target = 0.1 if spec.startswith("RSA") else 0.05
        report.compare(f"L1 CreateKey {spec} / moto, same spec", c, at_most=target)
    c = side_by_side(
        _create_keys(mock_kms_import, kms, 12, "ECC_NIST_P256"),
        _create_keys(mock_aws, kms, 3, None),
        _rounds(7),
    )
    report.compare("L1 CreateKey ECC_NIST_P256 / moto CreateKey default", c, at_most=0.1)
    c = side_by_side(
        _create_keys(mock_kms_import, kms, 12, "ECC_NIST_P256"),
        _create_keys(mock_aws, kms, 12, "ECC_NIST_P256"),
        _rounds(7),
    )
    report.compare("   CreateKey ECC_NIST_P256 / moto, same spec", c)


# -- the first client of an activation ---------------------------------------------------------


def first_client(report: Report) -> None:
    import boto3
    from moto import mock_aws

    from kms_import_mock import mock_kms_import

    def ours() -> tuple[int, float]:
        with mock_kms_import() as m, Stopwatch() as watch:
            m.client().list_keys()
        return 1, watch.elapsed

    def plain() -> tuple[int, float]:
        with mock_aws(), Stopwatch() as watch:
            boto3.client("kms", region_name=REGION).list_keys()
        return 1, watch.elapsed

    c = side_by_side(ours, plain, _rounds(15))
    report.compare("L2 first client (+ListKeys) in an activation / mock_aws", c, at_most=0.2)


# -- B3: ordinary requests ---------------------------------------------------------------------


@contextlib.contextmanager
def _no_moto_key_generation() -> Iterator[None]:
    """Plain moto's CreateKey with a ready-made private key: its request cost alone."""
    from moto.kms import models
    from moto.kms.utils import generate_private_key

    ready = generate_private_key("RSA_2048")
    original = models.generate_private_key
    models.generate_private_key = lambda spec: ready  # type: ignore[assignment]
    try:
        yield
    finally:
        models.generate_private_key = original


def _requests(mock: Any, kms: Any, what: str) -> Batch:
    def batch() -> tuple[int, float]:
        guard = _no_moto_key_generation() if what == "CreateKey" else contextlib.nullcontext()
        with guard, mock():
            key_id = kms.create_key()["KeyMetadata"]["KeyId"]
            with Stopwatch() as watch:
                for _ in range(40):
                    if what == "DescribeKey":
                        kms.describe_key(KeyId=key_id)
                    elif what == "GenerateDataKey":
                        kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")
                    else:
                        kms.create_key()
        return 40, watch.elapsed

    return batch


def ordinary_requests(report: Report) -> None:
    from moto import mock_aws

    from kms_import_mock import mock_kms_import

    kms = client()
    for what in ("DescribeKey", "GenerateDataKey", "CreateKey"):
        c = side_by_side(
            _requests(mock_kms_import, kms, what), _requests(mock_aws, kms, what), _rounds(31)
        )
        label = "CreateKey (no keygen either side)" if what == "CreateKey" else what
        report.compare(f"B3 {label}: ours / mock_aws", c, at_most=0.97)


# -- aliases and ListKeys at scale -------------------------------------------------------------


def _ordinary_keys(backend: Any, n: int) -> list[str]:
    return [
        backend.create_key(None, "ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT", "", None).id
        for _ in range(n)
    ]


def aliases(report: Report) -> None:
    from moto.kms.models import kms_backends

    from kms_import_mock import mock_kms_import

    small_kms, big_kms = client(), client(ALIAS_REGION)
    with mock_kms_import():
        small_kms.list_keys()
        big_kms.list_keys()
        backends = kms_backends[ACCOUNT][REGION], kms_backends[ACCOUNT][ALIAS_REGION]
        for backend, n in zip(backends, (10, BIG), strict=True):
            ids = _ordinary_keys(backend, n)
            # The alias names a key in the middle; a few hundred other aliases around it.
            for i in range(0, n, max(1, n // 300)):
                backend.create_alias(ids[i], f"alias/k{i}")
            backend.create_alias(ids[n // 2], "alias/target")

        def by_alias(kms: Any) -> Batch:
            def batch() -> tuple[int, float]:
                with Stopwatch() as watch:
                    for _ in range(20):
                        kms.encrypt(KeyId="alias/target", Plaintext=b"benchmark")
                return 20, watch.elapsed

            return batch

        c = side_by_side(by_alias(big_kms), by_alias(small_kms), _rounds(15))
        report.compare(f"B4a Encrypt by alias, {BIG:,} keys / 10 keys", c, at_most=1.1)

        def pages(kms: Any) -> Batch:
            def batch() -> tuple[int, float]:
                marker = kms.list_keys(Limit=5)["NextMarker"]
                with Stopwatch() as watch:
                    for _ in range(10):
                        kms.list_keys(Limit=5, Marker=marker)
                return 10, watch.elapsed

            return batch

        c = side_by_side(pages(big_kms), pages(small_kms), _rounds(9))
        report.compare(f"   ListKeys Limit=5 +Marker, {BIG:,} keys / 10 keys", c)


# -- memory per imported key and the expiry sweep ----------------------------------------------


@contextlib.contextmanager
def fast_unwrap() -> Iterator[None]:
    """Populating only: unwrap each distinct wrapped blob once (an RSA decrypt is ~1 ms, and
    the populations reuse one blob per wrapping-key slot)."""
    from kms_import_mock.crypto import wrapping

    original = wrapping.unwrap_key_material
    cached = functools.lru_cache(maxsize=256)(original)
    wrapping.unwrap_key_material = cached  # type: ignore[assignment]
    try:
        yield
    finally:
        wrapping.unwrap_key_material = original  # type: ignore[assignment]


def _record_two_events(backend: Any, key_id: str, rng: random.Random) -> None:
    """The two events the Response records for GetParametersForImport and ImportKeyMaterial."""
    from kms_import_mock.kms import events

    key = backend.keys[key_id]
    material_id = backend.imports[key_id].current_material_id
    for action, request, response in (
        (
            "GetParametersForImport",
            {
                "KeyId": key_id,
                "WrappingAlgorithm": "RSAES_OAEP_SHA_256",
                "WrappingKeySpec": "RSA_2048",
            },
            {"KeyId": key.arn},
        ),
        (
            "ImportKeyMaterial",
            {"KeyId": key_id, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"},
            {"KeyId": key.arn, "KeyMaterialId": material_id},
        ),
    ):
        request_id = "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", k=52))
        caller = events.Caller("testing", "".join(USER_AGENT), "127.0.0.1", request_id)
        events.record_api_call(backend, action, dict(request), dict(response), caller)


def memory_and_sweep(report: Report) -> None:
    from moto.kms.models import kms_backends

    from benchmarks.inprocess import _populate
    from kms_import_mock import mock_kms_import

    material = os.urandom(32)
    rng = random.Random(5)
    with mock_kms_import() as m, fast_unwrap():
        client(MEMORY_REGION).list_keys()
        client(SWEEP_REGION).list_keys()
        backend = kms_backends[ACCOUNT][MEMORY_REGION]
        _populate(backend, 100, material, m.now())  # warm every path first
        gc.collect()
        before = rss_bytes()
        ids = _populate(backend, BIG, material, m.now())
        for key_id in ids:
            _record_two_events(backend, key_id, rng)
        gc.collect()
        per_key = (rss_bytes() - before) / len(ids) / 1024
        report.ratio(
            f"M1 RSS/imported key + 2 events, {BIG:,} keys / 3 KiB",
            per_key,
            3.0,
            at_most=1.0,
            unit="KiB",
        )

        sweep_backend = kms_backends[ACCOUNT][SWEEP_REGION]
        sweep_ids = _expiring(sweep_backend, 10_000, material, m.now())
        # advance() expires what its move passes at once: it is the sweep, timed whole (after
        # collecting what populating left, so the sweep is not charged for it).
        gc.collect()
        start = time.thread_time()
        m.advance(dt.timedelta(hours=2))  # past every sweep ValidTo, before the M1 keys
        elapsed = time.thread_time() - start
        expired = sum(sweep_backend.keys[k].key_state == "PendingImport" for k in sweep_ids)
        assert expired == len(sweep_ids), "every material should have expired"
        report.ratio("M2 expiry sweep of 10,000 materials / 30 ms", elapsed, 0.030, at_most=1.0)
        # The sweep keeps its events as one batch; the first read makes their entries.
        from kms_import_mock.kms import events

        start = time.thread_time()
        made = sum(e.event_name == "DeleteExpiredKeyMaterial" for e in events.stored(sweep_backend))
        read = time.thread_time() - start
        assert made == len(sweep_ids), "one DeleteExpiredKeyMaterial per expired material"
        report.ratio("   first event read after it (entries made) / 30 ms", read, 0.030)


def _expiring(backend: Any, n: int, material: bytes, now: dt.datetime) -> list[str]:
    from kms_import_mock import wrap_key_material

    blobs: dict[bytes, bytes] = {}
    ids = []
    for i in range(n):
        key = backend.create_key(
            None, "ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT", "", None, origin="EXTERNAL"
        )
        _, token, public_key, _ = backend.get_parameters_for_import(
            key.id, "RSAES_OAEP_SHA_256", "RSA_2048"
        )
        blob = blobs.get(public_key)
        if blob is None:
            blob = blobs[public_key] = wrap_key_material(public_key, material, "RSAES_OAEP_SHA_256")
        backend.import_key_material(
            key.id, token, blob, valid_to=now + dt.timedelta(hours=1, seconds=i % 600)
        )
        ids.append(key.id)
    return ids
