"""The four list endpoints and how their pages chain, shared by the sync and async clients.

A page names the next one in `pagination.next` (absent on the last page). The link may be
absolute or relative; it is resolved against the page's own URL and then pinned to the
configured base URL's scheme and host, so the bearer token only ever goes to the server
the caller named, even when a server behind a proxy builds links with its internal name.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Generic, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from fleetcharge.client.errors import UnexpectedResponseError
from fleetcharge.client.models import Invoice, Pagination, SiteHostSession, UsageSession, Vehicle

API_PATH = "/api/fleets/v1"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"

RecordT = TypeVar("RecordT", bound=BaseModel)


class Resource(StrEnum):
    USAGE = "usage"
    SESSIONS = "sessions"
    VEHICLES = "vehicles"
    INVOICES = "invoices"


@dataclass(frozen=True)
class Endpoint(Generic[RecordT]):
    resource: Resource
    list_key: str
    model: type[RecordT]
    dated: bool

    @property
    def path(self) -> str:
        return f"{API_PATH}/{self.resource.value}"


USAGE = Endpoint(Resource.USAGE, "sessions", UsageSession, dated=True)
SESSIONS = Endpoint(Resource.SESSIONS, "sessions", SiteHostSession, dated=True)
VEHICLES = Endpoint(Resource.VEHICLES, "vehicles", Vehicle, dated=False)
INVOICES = Endpoint(Resource.INVOICES, "invoices", Invoice, dated=True)
ENDPOINTS: dict[Resource, Endpoint[Any]] = {
    e.resource: e for e in (USAGE, SESSIONS, VEHICLES, INVOICES)
}

DateArg = date | str | None
"""A date filter: a `date`, a `YYYY-MM-DD` or RFC 3339 string, or None for none."""


@dataclass(frozen=True)
class Page(Generic[RecordT]):
    url: str
    records: list[RecordT]
    raw: list[dict[str, Any]]
    """The records exactly as the server sent them (for lossless JSON export)."""
    total_entries: int
    next_url: str | None


def normalise_base_url(base_url: str) -> httpx.URL:
    url = httpx.URL(base_url.strip())
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"base URL must be http:// or https:// with a host, got {base_url!r}")
    return url.copy_with(path=url.path.rstrip("/") or "/", query=None, fragment=None)


def first_url(
    base_url: httpx.URL, endpoint: Endpoint[Any], date_from: DateArg, date_to: DateArg
) -> str:
    query: dict[str, str] = {}
    if endpoint.dated:
        for name, value in (("date_from", date_from), ("date_to", date_to)):
            if value is not None and str(value) != "":
                query[name] = value.isoformat() if isinstance(value, date) else value
    elif date_from is not None or date_to is not None:
        raise ValueError(f"/{endpoint.resource.value} takes no date filter")
    url = base_url.copy_with(path=base_url.path.rstrip("/") + endpoint.path)
    return str(url.copy_merge_params(query)) if query else str(url)


def resolve_next(base_url: httpx.URL, page_url: str, link: str) -> str:
    resolved = httpx.URL(page_url).join(link)
    return str(resolved.copy_with(scheme=base_url.scheme, netloc=base_url.netloc))


def parse_page(
    endpoint: Endpoint[RecordT], base_url: httpx.URL, response: httpx.Response
) -> Page[RecordT]:
    url = str(response.request.url)
    try:
        body = response.json()
        raw = body["data"][endpoint.list_key]
        pagination = Pagination.model_validate(body["pagination"])
    except (ValueError, KeyError, TypeError, ValidationError) as error:
        raise UnexpectedResponseError(
            f"{url} did not answer with a Fleets API page of {endpoint.list_key}: {error!s:.300}"
        ) from None
    if not isinstance(raw, list):
        raise UnexpectedResponseError(f"{url}: data.{endpoint.list_key} is not a list")
    records = []
    for index, item in enumerate(raw):
        try:
            records.append(endpoint.model.model_validate(item))
        except ValidationError as error:
            raise UnexpectedResponseError(
                f"{url}: record {index} of data.{endpoint.list_key} is not valid: {error!s:.500}"
            ) from None
    next_url = resolve_next(base_url, url, pagination.next) if pagination.next else None
    return Page(url, records, raw, pagination.total_entries, next_url)


class Trail:
    """Refuses a `next` link already followed, so a faulty server cannot loop us forever."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def follow(self, url: str) -> str:
        if url in self.seen:
            raise UnexpectedResponseError(f"the server's next link repeats a page: {url}")
        self.seen.add(url)
        return url


class ListingBase(Generic[RecordT]):
    """What a listing knows, sync or async: its first URL, and its first page once fetched.

    `total_entries` is None until the first page arrives; `first_page()` fetches it early
    (e.g. to size a progress bar) and iterating reuses it rather than fetching it again.
    """

    def __init__(self, endpoint: Endpoint[RecordT], start_url: str) -> None:
        self.endpoint = endpoint
        self.start_url = start_url
        self.total_entries: int | None = None
        self._first: Page[RecordT] | None = None

    def _remember(self, page: Page[RecordT]) -> Page[RecordT]:
        self._first = page
        self.total_entries = page.total_entries
        return page

    def _trail(self) -> Trail:
        trail = Trail()
        trail.follow(self.start_url)
        return trail
