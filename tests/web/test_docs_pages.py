"""The API docs pages work without internet: every script, style and icon they load is ours."""

import re
import subprocess
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from fleetcharge.api.docs import ASSETS_PATH
from fleetcharge.db import make_engine
from fleetcharge.web.app import create_app, served
from tests.servers import running_server

FLEETS = "/api/fleets/v1"
ADMIN = "/api/admin/v1"
PAGES = {
    f"{FLEETS}/docs": "SwaggerUIBundle",
    f"{FLEETS}/redoc": "Redoc",
    f"{ADMIN}/docs": "SwaggerUIBundle",
    f"{ADMIN}/redoc": "Redoc",
}
LINKED = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
CONTENT_TYPES = {
    ".js": ("text/javascript", "application/javascript"),
    ".css": ("text/css",),
    ".png": ("image/png",),
}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """The app as a server serves it (host guard and direct routes included)."""
    engine = make_engine("sqlite://")
    with TestClient(served(create_app(engine)), base_url="http://127.0.0.1:8000") as test_client:
        yield test_client
    engine.dispose()


def _linked(html: str) -> list[str]:
    return LINKED.findall(html)


@pytest.mark.parametrize("page", PAGES)
def test_a_docs_page_links_nothing_but_our_own_assets(client: TestClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    linked = _linked(response.text)
    assert linked, "the page links no script or style"
    for url in linked:
        assert url.startswith("/") and not url.startswith("//"), url
        assert url.startswith(f"{ASSETS_PATH}/"), url
    assert not re.search(r"https?://|cdn|jsdelivr|googleapis", response.text, re.IGNORECASE)


@pytest.mark.parametrize("page", PAGES)
def test_what_a_docs_page_loads_is_served(client: TestClient, page: str) -> None:
    html = client.get(page).text
    library = PAGES[page]
    scripts = []
    for url in _linked(html):
        response = client.get(url)
        assert response.status_code == 200, url
        suffix = url[url.rfind(".") :]
        assert response.headers["content-type"].startswith(CONTENT_TYPES[suffix]), url
        assert "max-age=31536000" in response.headers["cache-control"]
        if suffix == ".js":
            scripts.append(response.text)
    assert scripts and all(library in script and len(script) > 100_000 for script in scripts)
    stylesheets = [url for url in _linked(html) if url.endswith(".css")]
    assert bool(stylesheets) == (library == "SwaggerUIBundle")


@pytest.mark.parametrize("page", PAGES)
def test_a_docs_page_names_its_own_openapi_document(client: TestClient, page: str) -> None:
    html = client.get(page).text
    named = re.search(r"""(?:url: |spec-url=)['"]([^'"]+)['"]""", html)
    assert named is not None
    prefix = page.rsplit("/", 1)[0]
    assert named.group(1) == f"{prefix}/openapi.json"
    document = client.get(named.group(1))
    assert document.status_code == 200
    assert document.headers["content-type"] == "application/json"
    assert document.json()["info"]["title"].startswith("fleetcharge")


def test_an_asset_not_shipped_is_a_404(client: TestClient) -> None:
    assert client.get(f"{ASSETS_PATH}/nothing.js").status_code == 404
    assert client.get(f"{ASSETS_PATH}/../__init__.py").status_code == 404


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_docs_page_renders_in_a_browser_without_network(database_url: str, chromium: str) -> None:
    with running_server(database_url, {}) as base:
        dom = subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                # No name resolves: only the server on 127.0.0.1 can be reached.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--virtual-time-budget=10000",
                "--dump-dom",
                f"{base}{FLEETS}/redoc",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    rendered = dom.split("</head>", 1)[1]  # the <title> is there even when nothing renders
    assert "fleetcharge Fleets API" in rendered
    assert "/usage" in rendered
