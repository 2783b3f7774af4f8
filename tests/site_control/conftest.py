from collections.abc import Iterator

import pytest

from fleetcharge.db import engine_for
from tests.cli.conftest import Cli


@pytest.fixture
def cli(database_url: str) -> Iterator[Cli]:
    yield Cli(database_url)
    engine_for.cache_clear()  # the CLI caches an engine per URL; let the database go
