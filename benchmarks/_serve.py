"""A KMS server for B5, in its own process: ``python -m benchmarks._serve plain|ours``.

Prints the port it listens on (127.0.0.1, chosen by the OS), then serves until stdin closes.
``ours`` mirrors what ``kms-import-mock serve`` does: activate the extension once, before moto
builds its Flask app for KMS, then run moto's ``ThreadedMotoServer``.
"""

from __future__ import annotations

import logging
import sys


def main(kind: str) -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request on stderr
    if kind == "ours":
        from kms_import_mock import _activation

        _activation.install()
    elif kind != "plain":
        raise SystemExit(f"usage: python -m benchmarks._serve plain|ours (not {kind!r})")
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    print(server.get_host_and_port()[1], flush=True)
    sys.stdin.read()  # the parent closes our stdin to stop us
    server.stop()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
