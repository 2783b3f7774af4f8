"""Filling in the operator's console forms in tests."""

import re
from typing import Any

import httpx

from tests.console.conftest import Console


def send(console: Console, path: str, fields: dict[str, str] | None = None) -> httpx.Response:
    """POST a form as the signed-in member's page would (with its CSRF token)."""
    return console.client.post(path, data={"csrf_token": console.csrf_token, **(fields or {})})


def forged(console: Console, path: str, fields: dict[str, str] | None = None) -> httpx.Response:
    """The same POST without the token, as another site's page would send it."""
    return console.client.post(path, data=fields or {})


def field_error(page: str, name: str) -> str:
    """The error message shown next to field `name` ('' when none)."""
    found = re.search(rf'<p class="field-error" id="e-{re.escape(name)}">(.*?)</p>', page, re.S)
    return found.group(1) if found else ""


def field_value(page: str, name: str) -> str | None:
    """The value an input of the form shows (None when there is no such input)."""
    found = re.search(rf'<input id="f-{re.escape(name)}" name="{name}"[^>]*value="([^"]*)"', page)
    return found.group(1) if found else None


def location(response: httpx.Response) -> str:
    assert response.status_code == 303, (response.status_code, response.text[:2000])
    return str(response.headers["location"])


def text_of(page: str) -> str:
    """The page's text without tags, whitespace collapsed (escaped entities kept)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def uuid_in(url: str) -> str:
    found = re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", url)
    assert found, url
    return found.group(0)


Json = dict[str, Any]
