"""Running `fleetcharge export` / `report` in-process against a fake server or ours.

`RemoteCli` points the commands at a `FakeApi` (through `fleetcharge.cli.remote.transport`)
or at a real URL, with a fake clock so rate-limit waits and backoff take no time, a config
file path of its own, and the working directory in a temporary folder.
"""

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from fleetcharge.cli import remote
from fleetcharge.cli.main import app
from tests.client.fakes import BASE, FakeApi, FakeClock

TOKEN = "fct_CliS3cretToken_never_printed_9876543210zyxwvu"


class RemoteCli:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
        self.monkeypatch = monkeypatch
        self.folder = folder
        self.clock = FakeClock()
        self.config = folder / "client.toml"
        monkeypatch.setattr(remote, "clock", self.clock)
        monkeypatch.setattr(remote, "sleep", self.clock.sleep)
        monkeypatch.setenv(remote.CONFIG_ENV, str(self.config))
        monkeypatch.delenv(remote.TOKEN_ENV, raising=False)
        monkeypatch.delenv(remote.BASE_URL_ENV, raising=False)
        monkeypatch.chdir(folder)
        self.runner = CliRunner()

    def serve(self, api: FakeApi) -> FakeApi:
        self.monkeypatch.setattr(remote, "transport", api.transport())
        return api

    def __call__(self, *args: str, token: str | None = TOKEN, base_url: str = BASE) -> Result:
        options = ["--base-url", base_url] + (["--token", token] if token else [])
        return self.runner.invoke(app, [*args, *options])


def said(result: Result) -> str:
    """Everything printed, with Rich's line wrapping undone."""
    return " ".join(result.output.split())


def assert_failed(result: Result, code: int, *fragments: str) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for fragment in fragments:
        assert fragment in said(result), result.output
    assert TOKEN not in result.output
