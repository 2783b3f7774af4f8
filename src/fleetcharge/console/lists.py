"""Lists in the console page as the admin API's do (kit.cursors): each page continues after
the last row of the one before, so a late page costs what the first does."""

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request

from fleetcharge.kit.cursors import Page, PageRequest, parse_page_request

ROWS_A_PAGE = 50


def page_request(cursor: str | None) -> PageRequest:
    """The page a `cursor` query parameter asks for (an invalid one: 400 naming it)."""
    return parse_page_request(cursor or None, str(ROWS_A_PAGE))


def next_url(request: Request, page: Page[Any]) -> str | None:
    """This list's next page, with the same filters; None on the last."""
    if page.next_cursor is None:
        return None
    query = {k: v for k, v in request.query_params.items() if k not in ("cursor", "done")}
    return f"{request.url.path}?{urlencode({**query, 'cursor': page.next_cursor})}"


def first_url(request: Request) -> str | None:
    """This list's first page, with the same filters, from a later page (None on the first)."""
    if not request.query_params.get("cursor"):
        return None
    query = {k: v for k, v in request.query_params.items() if k not in ("cursor", "done")}
    return f"{request.url.path}?{urlencode(query)}" if query else request.url.path
