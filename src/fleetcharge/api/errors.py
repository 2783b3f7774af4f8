"""One JSON error body for every error status: {"error": {"code", "message", "parameter"?}}."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from limits.errors import StorageError
from starlette.exceptions import HTTPException as StarletteHTTPException

from fleetcharge.db import DATABASE_UNAVAILABLE
from fleetcharge.errors import DomainError
from fleetcharge.ratelimit.service import RateLimited

log = logging.getLogger("fleetcharge.api")

_HTTP_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    429: "rate_limited",
}


def error_response(
    status: int,
    code: str,
    message: str,
    parameter: str | None = None,
    headers: dict[str, str] | None = None,
    field: str | None = None,
) -> JSONResponse:
    error = {"code": code, "message": message}
    if parameter is not None:
        error["parameter"] = parameter
    if field is not None:
        error["field"] = field
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return JSONResponse({"error": error}, status_code=status, headers=headers)


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = exc.headers if isinstance(exc, RateLimited) else None
    return error_response(
        exc.status_code, exc.code, exc.message, exc.parameter, headers, field=exc.field
    )


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The database or Redis is unreachable: 503 so clients retry. The pool discards
    broken connections and pings idle ones before reuse, so service resumes by itself
    when the database is back."""
    what = "rate limit store" if isinstance(exc, StorageError) else "database"
    log.warning(
        "%s unavailable on %s %s: %s", what, request.method, request.url.path, type(exc).__name__
    )
    return error_response(
        503,
        "service_unavailable",
        f"the {what} is unavailable; retry shortly",
        headers={"Retry-After": "5"},
    )


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {}
    location = [str(part) for part in first.get("loc", ()) if part not in ("query", "body")]
    parameter = location[-1] if location else None
    return error_response(400, "invalid_parameter", first.get("msg", "invalid request"), parameter)


async def http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail))


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(500, "internal_error", "internal server error")


# Failures of the connection, not of the statement: the service is briefly unavailable.
UNAVAILABLE: tuple[type[Exception], ...] = (*DATABASE_UNAVAILABLE, StorageError)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    for kind in UNAVAILABLE:
        app.add_exception_handler(kind, _unavailable)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, _unexpected_error)
