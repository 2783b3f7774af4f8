"""Sending console forms in tests, reading what a page shows, and a role that may only
read a fleet's objects."""

import re
from collections.abc import Mapping
from html import unescape
from typing import Any, cast

import httpx
import pytest

from fleetcharge.permissions import PERMISSIONS
from tests.console.conftest import Console

READ_ONLY = "read_only"
# What a member who may only look reads (the people branch adds this role to the table).
_READ = ("organisations", "fleets", "vehicles", "cards", "api_tokens", "audit_events")


def allow_read_only(monkeypatch: pytest.MonkeyPatch) -> str:
    """The `read_only` role, reading a fleet's objects and changing none."""
    for resource in _READ:
        actions = cast(dict[str, frozenset[str]], PERMISSIONS[resource])
        monkeypatch.setitem(actions, "read", actions["read"] | {READ_ONLY})
    return READ_ONLY


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
