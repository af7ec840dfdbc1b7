"""moto's server mode (TEST_SERVER_MODE=true): the handle's clock and events are the server's,
through its control API; a server without that API makes them refuse clearly. And a server
child that exits at once is reported as exited, with its output."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from moto import settings

from kms_import_mock import KmsImportMockError, mock_kms_import
from kms_import_mock.kms import clock as _clock
from kms_import_mock.server.process import ServerProcess


def _use_server(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setattr(settings, "TEST_SERVER_MODE", True)
    monkeypatch.setenv("TEST_SERVER_MODE_ENDPOINT", url)


@pytest.fixture
def server_mode(kms_import_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    _use_server(monkeypatch, kms_import_server)
    yield kms_import_server


def _server_offset(url: str) -> float:
    import requests

    return float(requests.get(f"{url}/_kms_import/clock", timeout=30).json()["offset_seconds"])


def test_advance_and_events_act_on_the_server(server_mode: str) -> None:
    with mock_kms_import() as m:
        kms = m.client()
        assert kms.meta.endpoint_url == server_mode
        key = m.create_imported_key(valid_to=dt.timedelta(hours=1))
        assert kms.describe_key(KeyId=key.key_id)["KeyMetadata"]["KeyState"] == "Enabled"
        m.advance(dt.timedelta(hours=2))
        assert _server_offset(server_mode) >= 7200
        assert _clock.offset() == dt.timedelta(0)  # the local process clock did not move
        assert kms.describe_key(KeyId=key.key_id)["KeyMetadata"]["KeyState"] == "PendingImport"
        names = [e["eventName"] for e in m.events(key_id=key.arn)]
        assert names[:3] == ["CreateKey", "DescribeKey", "GetParametersForImport"]
        assert "DeleteExpiredKeyMaterial" in names
        assert m.events(name="ImportKeyMaterial")[0]["eventName"] == "ImportKeyMaterial"


def test_travel_to_and_now_are_the_servers(server_mode: str) -> None:
    with mock_kms_import() as m:
        assert m.travel_to("2030-01-01").year == 2030
        assert m.now().year == 2030
        with pytest.raises(KmsImportMockError, match="cannot move"):
            m.travel_to("9999-01-01")
        assert m.now().year == 2030  # the refused move changed nothing
    # the activation put back the server's offset it found
    assert _server_offset(server_mode) == 0


def test_a_server_without_the_control_api_refuses_clearly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from moto.server import ThreadedMotoServer

    plain = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    plain.start()
    try:
        host, port = plain.get_host_and_port()
        _use_server(monkeypatch, f"http://{host}:{port}")
        with mock_kms_import() as m:
            assert m.client().list_keys()["Keys"] == []  # clients still work
            for call in (lambda: m.advance(60), m.now, m.events):
                with pytest.raises(KmsImportMockError, match="kms-import-mock serve"):
                    call()
    finally:
        plain.stop()


def test_a_child_that_exits_at_once_is_reported_as_exited() -> None:
    with pytest.raises(KmsImportMockError, match=r"exited with code \d+ before it started") as err:
        ServerProcess(host="256.256.256.256", startup_timeout=600).start()
    assert "did not start within" not in str(err.value)
    assert "Name or service not known" in str(err.value)  # the output, not a guess


def test_missing_server_extras_are_reported_as_lines_saying_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A child whose moto server extras are missing: its ``flask`` cannot be imported.
    (tmp_path / "flask").mkdir()
    (tmp_path / "flask" / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'flask'\", name='flask')\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    with pytest.raises(KmsImportMockError) as err:
        ServerProcess(startup_timeout=600).start()
    message = str(err.value)
    assert "\\n" not in message
    first, *output = message.splitlines()
    assert first.startswith("kms-import-mock serve exited with code 1 before it started.")
    assert "    kms-import-mock: Server mode needs moto's server extras" in "\n".join(output)
    assert any(line.endswith("pip install 'kms-import-mock[server]'") for line in output)
