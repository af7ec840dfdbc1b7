"""State never crosses tests, decorator uses or workers (issue 8 §4).

The first two tests are order-independent halves of one check: whichever runs second (under
pytest-randomly either may) proves the first one's key and clock offset did not survive.
"""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError

from kms_import_mock import _activation, mock_kms_import
from kms_import_mock.kms import clock as _clock

_SEEN: dict[str, str] = {}


def _fresh_then_dirty(name: str) -> None:
    with mock_kms_import() as mock:
        kms = mock.client()
        assert kms.list_keys()["Keys"] == []
        assert abs((mock.now() - dt.datetime.now(dt.timezone.utc)).total_seconds()) < 60
        for other in _SEEN.values():
            with pytest.raises(ClientError) as info:
                kms.describe_key(KeyId=other)
            assert info.value.response["Error"]["Code"] == "NotFoundException"
        _SEEN[name] = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
        mock.advance(dt.timedelta(days=400))


def test_isolation_half_a() -> None:
    _fresh_then_dirty("a")


def test_isolation_half_b() -> None:
    _fresh_then_dirty("b")


def test_decorated_calls_do_not_share_state() -> None:
    @mock_kms_import
    def use(previous: str | None) -> str:
        import boto3

        kms = boto3.client("kms", region_name="us-east-1")
        assert kms.list_keys()["Keys"] == []
        if previous is not None:
            with pytest.raises(ClientError):
                kms.describe_key(KeyId=previous)
        key_id: str = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
        return key_id

    first = use(None)
    second = use(first)
    assert first != second


def test_nothing_is_left_installed_after_stop() -> None:
    from moto.kms.models import KmsBackend, kms_backends

    with mock_kms_import() as mock:
        mock.advance(dt.timedelta(days=3))
        assert _activation.active()
    assert not _activation.active()
    assert _clock.offset() == dt.timedelta(0)
    assert kms_backends.backend is KmsBackend
    assert all(r.backend is KmsBackend for r in kms_backends.values())
