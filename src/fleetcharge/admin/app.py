"""The admin API application, mounted by the main app at /api/admin/v1."""

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State
from starlette.exceptions import HTTPException as StarletteHTTPException

from fleetcharge import __version__
from fleetcharge.admin.calls import authenticated, is_authenticated, plain_parameters
from fleetcharge.admin.documents import ERRORS, documented
from fleetcharge.admin.routes import (
    accounts,
    api_tokens,
    audit,
    cards,
    core_commands,
    firmware,
    fleets,
    imports,
    invoices,
    local_lists,
    locations,
    organisations,
    reservations,
    session_reviews,
    site_allocations,
    sites,
    statements,
    station_commands,
    station_configuration,
    station_profiles,
    station_security,
    station_transfers,
    stations,
    tariffs,
    vehicles,
    webhook_subscriptions,
)
from fleetcharge.api.docs import add_docs_pages
from fleetcharge.api.errors import error_response, http_error, install_error_handlers
from fleetcharge.errors import Unauthorized
from fleetcharge.webhook_events.openapi import add_webhooks

ADMIN_PREFIX = "/api/admin/v1"

DESCRIPTION = """
Set up and run the network: organisations, fleets, vehicles, cards, locations, stations,
tariffs, API tokens and accounts, and review sessions held as implausible. Not part of the
Fleets API.

* Authenticate with `Authorization: Bearer <admin token>` (`fca_...`, from
  `fleetcharge operators create` or `POST /accounts`). Fleets API tokens are refused here.
  Operator roles: `admin` (everything), `support` (read all, station commands, block
  cards), `billing` (organisations' billing settings, reviewing held sessions). An
  organisation's `fleet_manager` manages its own fleets, vehicles, cards and Fleets API
  tokens, and sees its cards' held sessions; its `site_host` and `read_only` members read
  the same and change nothing. Other organisations' objects do not exist for them (404).
* Every object has a stable `uuid` and a `version`, sent as its `ETag`. Send it back in
  `If-Match` on `PATCH` and a change made meanwhile by someone else is refused with 412
  instead of being overwritten.
* `POST` creates take an `Idempotency-Key` header: a retried create with the same key
  answers as the first did and never makes a second object.
* Errors: `{"error": {"code", "message", "field"|"parameter"}}`, `field` naming the body
  field by its path (e.g. `connectors[1].name`). 400 invalid, 401 no valid admin token,
  403 the role may not, 404 not found (or not yours), 409 duplicate (the field named),
  412 stale `If-Match`, 422 `Idempotency-Key` reused for another request.
* Lists: `{"data": [...], "pagination": {"total_entries", "next"}}`; follow `next`
  (cursor paging: every page costs the same). `limit` 1 to 500, default 100.
* Money is GST-inclusive, as exact decimal strings (numbers are accepted on input).
* Every change is in the audit log: `GET /audit-events`.
* Issued documents are emailed to their organisation's billing contacts with
  `POST /invoices/{number}/send` (roles admin and billing), once unless forced; each sending
  is recorded (`GET /invoices/{number}/sendings`).
* Webhook subscriptions tell an organisation's systems of its events as they happen
  (`/webhook-subscriptions`, docs/webhooks.md): its fleet manager and site host manage its
  own; the signing secret is shown once, when created or rotated.
* Sessions that could not have happened as reported (more energy than the station's or the
  vehicle's rated power delivers in the time, energy without time, longer than three days,
  station times replaced or reversed) are held: on no invoice and not on the Fleets API
  until accepted or corrected under `/session-reviews`; a rejected one is never billed.
"""


async def _refused_unless_authenticated(request: Request) -> JSONResponse | None:
    """A 401 for a caller without a valid admin token, when the request failed before the
    routes' authentication ran (its body or parameters could not be read): such a caller
    learns nothing about what it sent."""
    if is_authenticated(request):
        return None
    try:
        await run_in_threadpool(authenticated, request)
    except Unauthorized as error:
        return error_response(401, error.code, error.message)
    return None


async def refused_or_http_error(request: Request, exc: Exception) -> JSONResponse:
    """An unreadable body, or an admin path no route matches (the main app's handler too:
    a uuid segment holding a newline matches not even the mount): refused with 401 first,
    like every other request without a valid admin token."""
    assert isinstance(exc, StarletteHTTPException)
    refused = await _refused_unless_authenticated(request)
    if refused is not None:
        return refused
    if exc.status_code != 400:
        return await http_error(request, exc)
    return error_response(400, "invalid_body", "the request body could not be read: send JSON")


async def _invalid_body(request: Request, exc: Exception) -> JSONResponse:
    """Pydantic's error as ours, with the failing field's path: `connectors[1].name`."""
    assert isinstance(exc, RequestValidationError)
    refused = await _refused_unless_authenticated(request)
    if refused is not None:
        return refused
    first = exc.errors()[0] if exc.errors() else {}
    if first.get("type") == "json_invalid":
        return error_response(400, "invalid_body", "the request body is not valid JSON")
    location = list(first.get("loc", ()))
    where, path = (location[0], location[1:]) if location else ("body", [])
    dotted = ""
    for part in path:
        dotted += f"[{part}]" if isinstance(part, int) else (f".{part}" if dotted else str(part))
    message = f"{dotted}: {first.get('msg', 'invalid')}" if dotted else first.get("msg", "invalid")
    if where == "body":
        return error_response(400, "invalid_field", message, field=dotted or None)
    return error_response(400, "invalid_parameter", message, dotted or None)


def create_admin_app(state: State) -> FastAPI:
    app = FastAPI(
        title="fleetcharge admin API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,  # add_docs_pages: /docs and /redoc, working offline
        redoc_url=None,
        responses=ERRORS,
        dependencies=[Depends(authenticated), Depends(plain_parameters)],
    )
    app.state = state  # the main app's engine, settings and central system
    install_error_handlers(app)
    app.add_exception_handler(RequestValidationError, _invalid_body)
    app.add_exception_handler(StarletteHTTPException, refused_or_http_error)
    routers = (
        organisations,
        fleets,
        vehicles,
        cards,
        accounts,
        audit,
        api_tokens,
        imports,
        site_allocations,
        sites,
        locations,
        local_lists,
        reservations,
        station_commands,
        station_profiles,
        core_commands,
        station_configuration,
        station_transfers,
        firmware,
        station_security,
        stations,
        tariffs,
        session_reviews,
        invoices,
        statements,
        webhook_subscriptions,
    )
    for module in routers:
        app.include_router(module.router)
    add_docs_pages(app)
    add_webhooks(app)
    app.openapi = documented(app)  # type: ignore[method-assign]
    return app
