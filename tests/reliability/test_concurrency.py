"""Threads on shared keys (issue 8 §3), in-process and against the server.

Each thread runs a random mix of ImportKeyMaterial, DeleteImportedKeyMaterial, Encrypt, Decrypt
and DescribeKey on two shared EXTERNAL keys. Invariants: only the AWS errors the key's state
explains; every DescribeKey answer is a consistent state (never a torn one); and the final state
of each key is the one left by some successful mutation that can be last in a serial order of
the successful calls (its end is after every other mutation's start).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from reliability_support import COUNTS

from kms_import_mock import generate_key_material, mock_kms_import, wrap_key_material

THREADS = 8
OPS_PER_THREAD = 40
EXPECTED = {
    "import": {"IncorrectKeyMaterialException"},
    "delete": set(),
    "encrypt": {"KMSInvalidStateException"},
    "decrypt": {"KMSInvalidStateException"},
    "describe": set(),
}


@dataclass
class Record:
    op: str
    key: int
    start: float
    end: float
    ok: bool
    code: str = ""


@pytest.fixture(params=["in-process", "server"])
def client_factory(request: pytest.FixtureRequest) -> Iterator[Any]:
    config = Config(retries={"max_attempts": 0}, max_pool_connections=THREADS * 2)
    if request.param == "server":
        url = request.getfixturevalue("server")
        yield lambda: boto3.client("kms", region_name="us-east-1", endpoint_url=url, config=config)
    else:
        with mock_kms_import() as mock:
            yield lambda: mock.client(config=config)


def test_threads_on_shared_keys(client_factory: Any) -> None:
    setup = client_factory()
    keys, materials, tokens = [], [], []
    for _ in range(2):
        key_id = setup.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
        material = generate_key_material()
        params = setup.get_parameters_for_import(
            KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
        )
        wrapped = wrap_key_material(params["PublicKey"], material, "RSAES_OAEP_SHA_256")
        wrong = wrap_key_material(
            params["PublicKey"], generate_key_material(), "RSAES_OAEP_SHA_256"
        )
        setup.import_key_material(
            KeyId=key_id,
            ImportToken=params["ImportToken"],
            EncryptedKeyMaterial=wrapped,
            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
        )
        keys.append(key_id)
        materials.append((wrapped, wrong))
        tokens.append(params["ImportToken"])
    ciphertexts = [setup.encrypt(KeyId=k, Plaintext=b"hello")["CiphertextBlob"] for k in keys]

    records: list[Record] = []
    failures: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def worker(seed: int) -> None:
        rnd = random.Random(seed)
        kms = client_factory()
        barrier.wait()
        for _ in range(OPS_PER_THREAD):
            i = rnd.randrange(2)
            op = rnd.choice(["import", "import", "delete", "encrypt", "decrypt", "describe"])
            start = time.monotonic()
            try:
                if op == "import":
                    kms.import_key_material(
                        KeyId=keys[i],
                        ImportToken=tokens[i],
                        EncryptedKeyMaterial=materials[i][rnd.random() < 0.2],
                        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
                    )
                elif op == "delete":
                    kms.delete_imported_key_material(KeyId=keys[i])
                elif op == "encrypt":
                    kms.encrypt(KeyId=keys[i], Plaintext=b"x" * rnd.randrange(1, 64))
                elif op == "decrypt":
                    out = kms.decrypt(CiphertextBlob=ciphertexts[i])
                    assert out["Plaintext"] == b"hello"
                else:
                    meta = kms.describe_key(KeyId=keys[i])["KeyMetadata"]
                    assert (meta["KeyState"], meta["Enabled"], "ExpirationModel" in meta) in (
                        ("Enabled", True, True),
                        ("PendingImport", False, False),
                    ), meta
                rec = Record(op, i, start, time.monotonic(), True)
            except ClientError as exc:
                code = exc.response["Error"]["Code"]
                rec = Record(op, i, start, time.monotonic(), False, code)
                if code not in EXPECTED[op]:
                    with lock:
                        failures.append(exc)
            except BaseException as exc:  # noqa: BLE001 - reported below
                with lock:
                    failures.append(exc)
                return
            with lock:
                records.append(rec)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not failures, failures[:3]
    assert len(records) == THREADS * OPS_PER_THREAD
    COUNTS["concurrent calls"] += len(records)

    for i, key_id in enumerate(keys):
        mutations = [r for r in records if r.key == i and r.ok and r.op in ("import", "delete")]
        state = setup.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]
        if not mutations:
            assert state == "Enabled"
            continue
        latest_start = max(r.start for r in mutations)
        can_be_last = {r.op for r in mutations if r.end >= latest_start}
        assert {"Enabled": "import", "PendingImport": "delete"}[state] in can_be_last, (
            state,
            can_be_last,
        )
        # Encrypt failed only while the key could have been without material.
        if state == "Enabled":
            assert setup.decrypt(CiphertextBlob=ciphertexts[i])["Plaintext"] == b"hello"
