"""Threads on shared keys (issue 8 §3), in-process and against the server.

Each thread runs a random mix of ImportKeyMaterial, DeleteImportedKeyMaterial, Encrypt, Decrypt
and DescribeKey on two shared EXTERNAL keys, and of staging new material (NEW_KEY_MATERIAL) and
RotateKeyOnDemand on a third. Invariants: only the AWS errors the key's state explains; every
DescribeKey answer is a consistent state (never a torn one); the final state of each key is the
one left by some successful mutation that can be last in a serial order of the successful calls
(its end is after every other mutation's start); the rotated key's history is exactly its
successful rotations; and the audit trail holds one event per successful call.
"""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from reliability_support import COUNTS

from kms_import_mock import generate_key_material, mock_kms_import, wrap_key_material

OAEP = "RSAES_OAEP_SHA_256"
THREADS = 8
OPS_PER_THREAD = 40
EXPECTED = {
    "import": {"IncorrectKeyMaterialException"},
    "delete": set(),
    "encrypt": {"KMSInvalidStateException"},
    "decrypt": {"KMSInvalidStateException"},
    "describe": set(),
    # Only one material may wait for rotation; rotating needs one waiting; 25 rotations at most.
    "stage": {"KMSInvalidStateException"},
    "rotate": {"KMSInvalidStateException", "LimitExceededException"},
}
ROTATING = 2  # index of the key that is staged and rotated (never deleted)
EVENT_OF = {
    "import": "ImportKeyMaterial",
    "stage": "ImportKeyMaterial",
    "delete": "DeleteImportedKeyMaterial",
    "rotate": "RotateKeyOnDemand",
}


@dataclass
class Record:
    op: str
    key: int
    start: float
    end: float
    ok: bool
    code: str = ""


@dataclass
class Target:
    """Where the threads send their calls, and how the test reads the audit trail there."""

    client: Callable[[], Any]
    events: Callable[[str], list[dict[str, Any]]]


@pytest.fixture(params=["in-process", "server"])
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    config = Config(retries={"max_attempts": 0}, max_pool_connections=THREADS * 2)
    if request.param == "server":
        url = request.getfixturevalue("server")

        def server_events(key_id: str) -> list[dict[str, Any]]:
            query = urllib.parse.urlencode({"key_id": key_id})
            with urllib.request.urlopen(f"{url}/_kms_import/events?{query}", timeout=30) as r:
                events: list[dict[str, Any]] = json.load(r)["events"]
            return events

        yield Target(
            lambda: boto3.client("kms", region_name="us-east-1", endpoint_url=url, config=config),
            server_events,
        )
    else:
        with mock_kms_import() as mock:
            yield Target(
                lambda: mock.client(config=config), lambda key_id: mock.events(key_id=key_id)
            )


def test_threads_on_shared_keys(target: Target) -> None:
    client_factory = target.client
    setup = client_factory()
    keys, materials, tokens, publics = [], [], [], []
    for _ in range(3):
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
        publics.append(params["PublicKey"])
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
            i = rnd.randrange(3)
            if i == ROTATING:
                op = rnd.choice(["stage", "stage", "rotate", "rotate", "decrypt", "describe"])
            else:
                op = rnd.choice(["import", "import", "delete", "encrypt", "decrypt", "describe"])
            start = time.monotonic()
            try:
                if op == "stage":
                    fresh = wrap_key_material(publics[i], generate_key_material(), OAEP)
                    kms.import_key_material(
                        KeyId=keys[i],
                        ImportToken=tokens[i],
                        EncryptedKeyMaterial=fresh,
                        ImportType="NEW_KEY_MATERIAL",
                        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
                    )
                elif op == "rotate":
                    kms.rotate_key_on_demand(KeyId=keys[i])
                elif op == "import":
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

    for i, key_id in enumerate(keys[:ROTATING]):
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

    # The rotated key: its history is exactly the successful rotations, and what was encrypted
    # before any of them still decrypts (every material stays associated and imported).
    rotations = [r for r in records if r.key == ROTATING and r.ok and r.op == "rotate"]
    staged = [r for r in records if r.key == ROTATING and r.ok and r.op == "stage"]
    assert rotations, "no rotation succeeded: the mix no longer exercises RotateKeyOnDemand"
    assert len(rotations) <= len(staged) <= len(rotations) + 1
    COUNTS["concurrent rotations"] += len(rotations)
    history = setup.list_key_rotations(KeyId=keys[ROTATING])["Rotations"]
    assert len(history) == len(rotations)
    assert setup.decrypt(CiphertextBlob=ciphertexts[ROTATING])["Plaintext"] == b"hello"
    if rotations:
        current = setup.describe_key(KeyId=keys[ROTATING])["KeyMetadata"]["CurrentKeyMaterialId"]
        assert history[-1]["KeyMaterialId"] == current

    # One audit event per call, for every key (plus the setup's one import each); the refused
    # ones carry their errorCode.
    for i, key_id in enumerate(keys):
        recorded = target.events(key_id)
        names = [e["eventName"] for e in recorded if "errorCode" not in e]
        refused = [e["eventName"] for e in recorded if "errorCode" in e]
        for event in set(EVENT_OF.values()):
            mine = [r for r in records if r.key == i and EVENT_OF.get(r.op) == event]
            setup_calls = 1 if event == "ImportKeyMaterial" else 0
            assert names.count(event) == sum(r.ok for r in mine) + setup_calls, (key_id, event)
            assert refused.count(event) == sum(not r.ok for r in mine), (key_id, event)
        assert names.count("RotateKey") == (len(rotations) if i == ROTATING else 0)
