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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    if args.command == "demo":
        from ._demo import run

        run()
    return 0
