"""The ``kms-import-mock`` command (also ``python -m kms_import_mock``)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kms-import-mock", description="AWS KMS imported key material for moto."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="walk through the import lifecycle in-process")
    serve = commands.add_parser(
        "serve", help="serve moto over HTTP with KMS key import, for any client (like moto_server)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument(
        "--port", type=int, default=5000, help="port to bind; 0 picks a free one (default 5000)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    if args.command == "demo":
        from kms_import_mock._demo import run

        run()
    elif args.command == "serve":
        from .app import serve

        return serve(args.host, args.port)
    return 0
