from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from fleetcharge.db import make_engine
from fleetcharge.settings import get_settings
from tests.api.helpers import make_client, set_page_size


@pytest.fixture(autouse=True)
def _links_use_the_request_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`next` links are built from the request (http://testserver) whatever public base URL
    a developer's environment or .env sets; a test may set its own."""
    monkeypatch.setenv("FLEETCHARGE_PUBLIC_BASE_URL", "")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with make_client(engine) as test_client:
        yield test_client


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> int:
    """Pages of 5 records instead of 100, to page deeply through little data."""
    set_page_size(monkeypatch, 5)
    return 5


@pytest.fixture
def bare_client() -> Iterator[TestClient]:
    """The app over an empty in-memory database, for what needs no data (docs, OpenAPI)."""
    engine = make_engine("sqlite://")
    with make_client(engine) as test_client:
        yield test_client
    engine.dispose()
