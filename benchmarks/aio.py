"""``make bench-async`` (``python -m benchmarks.aio``): aiobotocore in-process vs our own server.

The same aiobotocore loop, Encrypt then Decrypt under an imported key, once against the mock
in-process and once against ``kms-import-mock serve`` on 127.0.0.1 (a child process). Both sides
are timed in wall time (the server side waits on another process), alternating round by round
after a warm-up (``_harness.side_by_side``). The target: in-process at least 3x as fast.
Needs aiobotocore (the async venv); ``BENCH_QUICK=1`` runs fewer rounds.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
import time
from typing import Any

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ.pop("AWS_PROFILE", None)

REGION = "us-east-1"
PAIRS = 50  # Encrypt+Decrypt pairs per batch
TARGET = 3.0  # server time / in-process time, at least
WRAPPING = "RSAES_OAEP_SHA_256"


async def imported_key(kms: Any) -> str:
    """An EXTERNAL key with material imported through the aiobotocore client itself."""
    from kms_import_mock import generate_key_material, wrap_key_material

    key_id: str = (await kms.create_key(Origin="EXTERNAL"))["KeyMetadata"]["KeyId"]
    params = await kms.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm=WRAPPING, WrappingKeySpec="RSA_2048"
    )
    await kms.import_key_material(
        KeyId=key_id,
        ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=wrap_key_material(
            params["PublicKey"], generate_key_material(), WRAPPING
        ),
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
    )
    return key_id


async def pairs(kms: Any, key_id: str) -> float:
    """Seconds (wall) for ``PAIRS`` Encrypt+Decrypt round trips, each checked."""
    started = time.perf_counter()
    for i in range(PAIRS):
        plaintext = b"payload %d" % i
        blob = (await kms.encrypt(KeyId=key_id, Plaintext=plaintext))["CiphertextBlob"]
        if (await kms.decrypt(CiphertextBlob=blob))["Plaintext"] != plaintext:
            raise AssertionError("Decrypt did not give back the plaintext")
    return time.perf_counter() - started


def main() -> int:
    if importlib.util.find_spec("aiobotocore") is None:
        print("benchmarks.aio needs aiobotocore: run it with `make bench-async`.", file=sys.stderr)
        return 2
    import aiobotocore
    from aiobotocore.session import get_session

    from benchmarks._harness import side_by_side
    from kms_import_mock import mock_kms_import
    from kms_import_mock.server.process import ServerProcess

    rounds = 2 if os.environ.get("BENCH_QUICK") == "1" else 7
    loop = asyncio.new_event_loop()
    session = get_session()

    async def in_process() -> tuple[int, float]:
        # Entering the mock, the client and the key are set-up, outside the figure.
        # The session is made once the mock has imported moto: moto's before-send handler is
        # among the built-in handlers a new session copies (as with boto3).
        async with (
            mock_kms_import(),
            get_session().create_client("kms", region_name=REGION) as kms,
        ):
            key_id = await imported_key(kms)
            return PAIRS, await pairs(kms, key_id)

    server = ServerProcess().start()
    try:
        served = loop.run_until_complete(
            session.create_client("kms", region_name=REGION, endpoint_url=server.url).__aenter__()
        )
        try:
            served_key = loop.run_until_complete(imported_key(served))

            async def over_http() -> tuple[int, float]:
                return PAIRS, await pairs(served, served_key)

            result = side_by_side(
                lambda: loop.run_until_complete(in_process()),
                lambda: loop.run_until_complete(over_http()),
                rounds,
            )
        finally:
            loop.run_until_complete(served.__aexit__(None, None, None))
    finally:
        server.stop()
        loop.close()

    speedup = 1 / result.ratio  # the median per-round ratio, inverted: server / in-process
    ok = speedup >= TARGET
    print(
        f"aiobotocore {aiobotocore.__version__}: Encrypt+Decrypt under an imported key, "
        f"{PAIRS} pairs per batch, {rounds} rounds after a warm-up (wall time)\n"
        f"  in-process (mock_kms_import)       {result.ours * 1000:8.3f} ms per pair\n"
        f"  kms-import-mock serve on 127.0.0.1 {result.plain * 1000:8.3f} ms per pair\n"
        f"  in-process is {speedup:.1f}x as fast (target >= {TARGET:g}x): "
        f"{'PASS' if ok else 'FAIL'}",
        flush=True,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
