"""Envelope, `next` links and JSON rendering shared by the list endpoints."""

from typing import Any
from urllib.parse import urlencode

import orjson
from fastapi import Request, Response

from fleetcharge.kit.paging import PAGE_SIZE


def date_filters(request: Request) -> dict[str, str | None]:
    """The date filters as the client sent them, for `next` links."""
    return {name: request.query_params.get(name) for name in ("date_from", "date_to")}


def next_link(
    request: Request, page: int, total: int, filters: dict[str, str | None]
) -> str | None:
    if page * PAGE_SIZE >= total:
        return None
    query = {name: value for name, value in filters.items() if value}
    query["page"] = str(page + 1)
    return link(request, urlencode(query))


def link(request: Request, query: str) -> str:
    """This request's path with `query`, on the public base URL when one is set (else on
    the request's Host, which HostGuard let through)."""
    base = getattr(request.app.state, "public_base_url", None) or str(request.base_url)
    return f"{base.rstrip('/')}{request.url.path}?{query}"


def envelope(
    key: str, items: list[dict[str, Any]] | orjson.Fragment, total: int, next_url: str | None
) -> Response:
    """The list envelope; `items` may be a JSON array the database already rendered."""
    pagination: dict[str, Any] = {"total_entries": total}
    if next_url:
        pagination["next"] = next_url
    body = {"data": {key: items}, "pagination": pagination}
    return Response(orjson.dumps(body), media_type="application/json")
