"""Server-mode tests: every client talks HTTP to a ``kms-import-mock serve`` child process.

The plugin's fixtures are imported here so that these tests also run from a checkout where the
package (and so its ``pytest11`` entry point) is not installed; installed, the plugin defines
the same fixtures and these definitions take precedence for this directory.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable
from typing import Any

import pytest

from conftest_plugin.plugin import kms_import_server, kms_import_server_session

__all__ = ["kms_import_server", "kms_import_server_session"]


@pytest.fixture
def kms_client(kms_import_server: str) -> Callable[..., Any]:
    """A factory of boto3 KMS clients for the server: no retries, so every 5xx surfaces."""
    import boto3
    from botocore.config import Config

    def make(**config: Any) -> Any:
        return boto3.client(
            "kms",
            endpoint_url=kms_import_server,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"total_max_attempts": 1}, **config),
        )

    return make


@pytest.fixture(scope="session")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for the AWS CLI and openssl: fake credentials, no config files, and an ``aws``
    on PATH that is the ``awscli`` package of this interpreter (the test extra installs it)."""
    bin_dir = tmp_path_factory.mktemp("bin")
    aws = bin_dir / "aws"
    aws.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m awscli "$@"\n')
    aws.chmod(aws.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_PAGER="",
    )
    return env
