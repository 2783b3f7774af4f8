from collections.abc import Iterator

import pytest
from typer.testing import CliRunner, Result

from fleetcharge.cli.main import app
from fleetcharge.db import engine_for
from tests.mailbox import mailbox, smtp_env  # noqa: F401  (fixtures)


class Cli:
    """Runs `fleetcharge ARGS --database-url URL` in-process against the test database."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.runner = CliRunner()

    def __call__(self, *args: str, stdin: str | None = None) -> Result:
        return self.runner.invoke(app, [*args, "--database-url", self.url], input=stdin)


@pytest.fixture
def cli(database_url: str) -> Iterator[Cli]:
    yield Cli(database_url)
    engine_for.cache_clear()  # the CLI caches an engine per URL; let the database go
