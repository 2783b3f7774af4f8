"""Sending console forms in tests and reading what a page shows."""

import re
from collections.abc import Mapping
from html import unescape
from typing import Any

import httpx

from tests.console.conftest import Console


def send(
    console: Console, path: str, fields: Mapping[str, Any] | None = None, *, csrf: bool = True
) -> httpx.Response:
    """POST a form as the signed-in member's page would (with its CSRF token unless not)."""
    data = dict(fields or {})
    if csrf:
        data["csrf_token"] = console.csrf_token
    return console.client.post(path, data=data)


def field_error(page: str, name: str) -> str | None:
    """The message shown under form field `name`, if any."""
    found = re.search(rf'<p class="field-error" id="e-{re.escape(name)}">(.*?)</p>', page, re.S)
    return unescape(found.group(1)) if found else None


def field_value(page: str, name: str) -> str | None:
    found = re.search(rf'<input id="f-{re.escape(name)}" name="{name}" [^>]*value="([^"]*)"', page)
    return unescape(found.group(1)) if found else None


def hidden(page: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{re.escape(name)}" value="([^"]*)">', page)
    assert found, f"no hidden field {name}"
    return unescape(found.group(1))


def landed(response: httpx.Response, path_start: str) -> str:
    """The path a successful form sent the browser to (303)."""
    assert response.status_code == 303, (response.status_code, response.text[:2000])
    location = response.headers["location"]
    assert location.startswith(path_start), location
    return str(location)
