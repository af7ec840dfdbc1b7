"""The handle's clock (now, advance, travel_to); expiry driven by it, freezegun, time-machine."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from freezegun import freeze_time

from kms_import_mock import KmsImportMockError, generate_key_material, mock_kms_import
from kms_import_mock.kms import clock as _clock
from tests.helpers import aws_error, import_material, key_state

UTC = dt.timezone.utc
T0 = dt.datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


def _params(kms, key_id):
    return kms.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )


def _import_with(kms, key_id, params, material, **expiry):
    from kms_import_mock import wrap_key_material

    return kms.import_key_material(
        KeyId=key_id,
        ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=wrap_key_material(params["PublicKey"], material, "RSAES_OAEP_SHA_256"),
        **(expiry or {"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}),
    )


def _external_key(kms):
    return kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]


def test_now_is_aware_utc_process_time():
    with mock_kms_import() as m:
        before = dt.datetime.now(UTC)
        now = m.now()
        assert now.tzinfo is not None and now.utcoffset() == dt.timedelta(0)
        assert before <= now <= dt.datetime.now(UTC)


def test_advance_takes_timedelta_or_seconds_and_returns_new_now():
    with mock_kms_import() as m:
        start = m.now()
        after = m.advance(dt.timedelta(hours=2))
        assert dt.timedelta(hours=2) <= after - start < dt.timedelta(hours=2, seconds=5)
        after2 = m.advance(90)
        assert dt.timedelta(seconds=90) <= after2 - after < dt.timedelta(seconds=95)
        assert m.advance(1.5) > after2


def test_advance_backwards_is_refused():
    with mock_kms_import() as m, pytest.raises(KmsImportMockError, match="forward only"):
        m.advance(-1)


def test_travel_to_sets_the_clock_naive_means_utc():
    with mock_kms_import() as m:
        assert abs(m.travel_to(T0) - T0) < dt.timedelta(seconds=2)
        naive = dt.datetime(2031, 1, 1)
        assert abs(m.travel_to(naive) - naive.replace(tzinfo=UTC)) < dt.timedelta(seconds=2)
        # back in time is allowed with travel_to
        assert m.travel_to(T0).year == 2030


def test_offset_is_reset_by_the_outermost_stop():
    with mock_kms_import() as m:
        m.advance(dt.timedelta(days=3))
        with mock_kms_import() as inner:
            assert inner.now() - dt.datetime.now(UTC) > dt.timedelta(days=2)
        assert _clock.offset() >= dt.timedelta(days=3)
    assert _clock.offset() == dt.timedelta(0)


def test_token_expires_after_24_hours_by_advance():
    with mock_kms_import() as m:
        kms = m.client()
        key_id = _external_key(kms)
        stale, fresh = _params(kms, key_id), _params(kms, key_id)
        material = generate_key_material()
        m.advance(dt.timedelta(hours=23, minutes=59))
        _import_with(kms, key_id, fresh, material)  # still valid just before 24 h
        m.advance(dt.timedelta(minutes=1))
        code, message = aws_error(_import_with, kms, key_id, stale, material)
        assert code == "ExpiredImportTokenException"
        assert "GetParametersForImport" in message


def test_parameters_valid_to_follows_the_mock_clock():
    with mock_kms_import() as m:
        m.travel_to(T0)
        kms = m.client()
        params = _params(kms, _external_key(kms))
        valid_to = params["ParametersValidTo"].astimezone(UTC)
        assert abs(valid_to - (T0 + dt.timedelta(hours=24))) < dt.timedelta(seconds=5)


def test_material_expires_by_advance():
    with mock_kms_import() as m:
        kms = m.client()
        key_id = _external_key(kms)
        import_material(
            kms,
            key_id,
            generate_key_material(),
            wrapping_key_spec="RSA_2048",
            ValidTo=m.now() + dt.timedelta(days=10),
        )
        m.advance(dt.timedelta(days=9, hours=23))
        assert key_state(kms, key_id) == "Enabled"
        m.advance(dt.timedelta(hours=1, seconds=1))
        assert key_state(kms, key_id) == "PendingImport"


def test_token_and_material_expiry_by_freezegun():
    with freeze_time("2030-05-01 12:00:00") as frozen, mock_kms_import() as m:
        assert m.now() == T0
        kms = m.client()
        key_id = _external_key(kms)
        params = _params(kms, key_id)
        material = generate_key_material()
        _import_with(kms, key_id, params, material, ValidTo=T0 + dt.timedelta(days=2))
        frozen.tick(dt.timedelta(hours=24))
        code, _ = aws_error(_import_with, kms, key_id, params, material)
        assert code == "ExpiredImportTokenException"
        assert key_state(kms, key_id) == "Enabled"
        frozen.move_to("2030-05-03 12:00:00")
        assert key_state(kms, key_id) == "PendingImport"
        [event] = m.events("DeleteExpiredKeyMaterial")
        assert event["eventTime"] == "2030-05-03T12:00:00Z"


def test_freezegun_and_advance_compose():
    with freeze_time("2030-05-01 12:00:00"), mock_kms_import() as m:
        m.advance(dt.timedelta(hours=1))
        assert m.now() == T0 + dt.timedelta(hours=1)


def test_token_and_material_expiry_by_time_machine():
    with time_machine.travel(T0, tick=False) as traveller, mock_kms_import() as m:
        assert m.now() == T0
        kms = m.client()
        key_id = _external_key(kms)
        params = _params(kms, key_id)
        material = generate_key_material()
        _import_with(kms, key_id, params, material, ValidTo=T0 + dt.timedelta(days=2))
        traveller.shift(dt.timedelta(hours=24))
        code, _ = aws_error(_import_with, kms, key_id, params, material)
        assert code == "ExpiredImportTokenException"
        traveller.shift(dt.timedelta(days=1))
        assert key_state(kms, key_id) == "PendingImport"
        [event] = m.events("DeleteExpiredKeyMaterial")
        assert event["eventTime"] == "2030-05-03T12:00:00Z"
