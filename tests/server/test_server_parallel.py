"""Parallel clients against one server: no 5xx, and every key's history has a serial explanation.

8 threads run a fixed, seeded script of imports (two candidate materials per key), deletes,
encrypts, describes, disables and enables on three shared keys, all starting at a barrier so that
first imports collide; three seeds, so that a run catches a race with good odds. Each call's
outcome and client-side time interval are recorded; the linearizability checker must then find,
for each key, one serial order of all its calls that replayed on the model below gives every
outcome seen, ending in the state DescribeKey reports.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from linearizability import Call, serial_order

from kms_import_mock import wrap_key_material

THREADS = 8
CALLS_PER_THREAD = 12
KEYS = 3
OPS = (
    ("import_A", 3),
    ("import_B", 3),
    ("delete", 2),
    ("encrypt", 2),
    ("describe", 2),
    ("disable", 1),
    ("enable", 1),
)

# Model of one key: (identity of the material the key is bound to, imported?, KeyState).
State = tuple[str | None, bool, str]
INITIAL: State = (None, False, "PendingImport")


def step(state: State, op: str) -> tuple[State, Hashable]:
    identity, imported, key_state = state
    if op.startswith("import_"):
        material = op[-1]
        if identity not in (None, material):
            return state, "IncorrectKeyMaterialException"
        return (material, True, "Enabled" if key_state == "PendingImport" else key_state), "ok"
    if op == "delete":
        if identity is None:
            return state, ("ok", "no material")
        return (identity, False, "PendingImport"), ("ok", "deleted")
    if op == "encrypt":
        outcome = {
            "Enabled": "ok",
            "Disabled": "DisabledException",
            "PendingImport": "KMSInvalidStateException",
        }[key_state]
        return state, outcome
    if op == "describe":
        return state, ("ok", key_state, imported)
    if op in ("disable", "enable"):
        if key_state == "PendingImport":
            return state, "KMSInvalidStateException"
        return (identity, imported, "Disabled" if op == "disable" else "Enabled"), "ok"
    raise AssertionError(op)


@pytest.mark.parametrize("seed", range(3))
def test_parallel_calls_have_a_serial_explanation(
    kms_client: Callable[..., Any], seed: int
) -> None:
    admin = kms_client()
    keys = [admin.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"] for _ in range(KEYS)]
    blobs: dict[tuple[int, str], tuple[bytes, bytes]] = {}
    for index, key_id in enumerate(keys):
        params = admin.get_parameters_for_import(
            KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
        )
        for name in "AB":
            blob = wrap_key_material(params["PublicKey"], os.urandom(32), "RSAES_OAEP_SHA_256")
            blobs[index, name] = params["ImportToken"], blob

    def call(kms: Any, index: int, op: str) -> Hashable:
        key_id = keys[index]
        if op.startswith("import_"):
            token, blob = blobs[index, op[-1]]
            kms.import_key_material(
                KeyId=key_id,
                ImportToken=token,
                EncryptedKeyMaterial=blob,
                ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
            )
            return "ok"
        if op == "delete":
            result = kms.delete_imported_key_material(KeyId=key_id)
            return "ok", "deleted" if "KeyMaterialId" in result else "no material"
        if op == "encrypt":
            kms.encrypt(KeyId=key_id, Plaintext=b"parallel")
            return "ok"
        if op == "describe":
            meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
            return "ok", meta["KeyState"], "ExpirationModel" in meta
        getattr(kms, f"{op}_key")(KeyId=key_id)
        return "ok"

    names, weights = zip(*OPS, strict=True)
    scripts = [
        [(rng.randrange(KEYS), rng.choices(names, weights)[0]) for _ in range(CALLS_PER_THREAD)]
        for rng in (random.Random(f"kms-import-{seed}-{t}") for t in range(THREADS))
    ]
    clients = [kms_client(max_pool_connections=1) for _ in range(THREADS)]
    history: list[list[Call]] = [[] for _ in range(KEYS)]
    failures: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def worker(thread: int) -> None:
        barrier.wait(timeout=30)
        for index, op in scripts[thread]:
            start = time.monotonic()
            try:
                outcome: Hashable = call(clients[thread], index, op)
            except ClientError as err:
                status = err.response["ResponseMetadata"]["HTTPStatusCode"]
                outcome = err.response["Error"]["Code"]
                if status >= 500:
                    with lock:
                        failures.append(f"{op}: HTTP {status} {outcome}")
            except Exception as exc:  # a dropped connection or a broken response
                with lock:
                    failures.append(f"{op}: {exc!r}")
                continue
            end = time.monotonic()
            with lock:
                history[index].append(Call(thread, op, start, end, outcome))

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []

    after = time.monotonic()
    for index, key_id in enumerate(keys):
        meta = admin.describe_key(KeyId=key_id)["KeyMetadata"]
        final = ("ok", meta["KeyState"], "ExpirationModel" in meta)
        calls = [*history[index], Call(-1, "describe", after, after, final)]
        order = serial_order(calls, INITIAL, step)
        assert order is not None, (
            f"key {index}: no serial order explains {sorted(calls, key=lambda c: c.start)}"
        )
    assert sum(len(h) for h in history) == THREADS * CALLS_PER_THREAD
