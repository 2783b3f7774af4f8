"""Errors on console pages are pages: the same statuses as the APIs, shown as HTML with the
menu, and a page that needs signing in sends the browser to the sign-in page."""

import logging
from collections.abc import Awaitable, Callable
from typing import cast

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from fleetcharge.api.errors import UNAVAILABLE
from fleetcharge.console.pages import render
from fleetcharge.console.security import SignInRequired, sign_in_url
from fleetcharge.errors import DomainError

log = logging.getLogger("fleetcharge.console")
Handler = Callable[[Request, Exception], Awaitable[Response]]

# First path segments of console pages (and "" for the sign-in page at /).
AREAS = frozenset(
    {
        "",
        "account",
        "billing",
        "fleet",
        "invoices",
        "network",
        "reset-password",
        "sign-in",
        "sign-out",
        "site",
        "tokens",
    }
)
_TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    429: "Too many attempts",
    503: "Unavailable",
    500: "Something went wrong",
}


def is_console_path(path: str) -> bool:
    return path.split("/", 2)[1] in AREAS


def install_console_error_pages(app: FastAPI) -> None:
    """For console paths, HTML instead of the handlers' JSON (installed after them)."""
    for kind in (
        DomainError,
        RequestValidationError,
        StarletteHTTPException,
        *UNAVAILABLE,
        Exception,
    ):
        api_handler = cast(Handler, app.exception_handlers[kind])
        app.add_exception_handler(kind, _by_area(api_handler))


def _by_area(api_handler: Handler) -> Handler:
    async def handle(request: Request, exc: Exception) -> Response:
        if is_console_path(request.url.path):
            return error_page(request, exc)
        return await api_handler(request, exc)

    return handle


def error_page(request: Request, exc: Exception) -> Response:
    if isinstance(exc, SignInRequired):
        return RedirectResponse(sign_in_url(exc.next_path), status_code=303)
    if isinstance(exc, DomainError):
        status, message = exc.status_code, exc.message
    elif isinstance(exc, RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        status, message = 400, f"{'.'.join(map(str, first.get('loc', ())))}: {first.get('msg')}"
    elif isinstance(exc, StarletteHTTPException):
        status, message = (
            exc.status_code,
            "no such page" if exc.status_code == 404 else str(exc.detail),
        )
    elif isinstance(exc, UNAVAILABLE):
        status, message = 503, "the database is briefly unavailable: try again in a moment"
    else:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        status, message = 500, "an unexpected error: it has been logged"
    title = _TITLES.get(status, "Error")
    headers = {"Retry-After": "5"} if status == 503 else None
    return render(
        request, "error.html", {"title": title, "message": message}, status=status, headers=headers
    )
