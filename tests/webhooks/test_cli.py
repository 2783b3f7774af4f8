"""`fleetcharge webhooks worker` refuses to start without what it needs, with one line."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from fleetcharge.cli.main import app
from fleetcharge.settings import get_settings
from fleetcharge.webhooks.sealing import generate_key


def test_the_worker_needs_the_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLEETCHARGE_WEBHOOKS_SECRET_KEY", "")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["webhooks", "worker"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "FLEETCHARGE_WEBHOOKS_SECRET_KEY" in result.output


def test_the_worker_needs_a_migrated_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = CliRunner().invoke(app, ["webhooks", "worker", "--database-url", url])
    assert result.exit_code == 1
    assert "fleetcharge db upgrade" in result.output


def test_generate_key_prints_a_key() -> None:
    result = CliRunner().invoke(app, ["webhooks", "generate-key"])
    assert result.exit_code == 0
    assert len(result.output.strip()) == len(generate_key())
