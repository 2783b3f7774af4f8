"""The ASGI application."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from fleetcharge import __version__
from fleetcharge.admin.app import ADMIN_PREFIX, create_admin_app, refused_or_http_error
from fleetcharge.api.docs import ASSETS_PATH, DocsAssets, add_docs_pages
from fleetcharge.api.errors import http_error, install_error_handlers
from fleetcharge.api.schemas import ErrorBody
from fleetcharge.billing.endpoints import router as invoices_router
from fleetcharge.charging.endpoints import router as sessions_router
from fleetcharge.console.app import add_console
from fleetcharge.csms.direct_ocpp import DirectOcpp
from fleetcharge.csms.transport import central_system_for
from fleetcharge.csms.transport import router as ocpp_router
from fleetcharge.db import engine_for
from fleetcharge.firmware.endpoints import router as station_files_router
from fleetcharge.firmware.links import FileSettings
from fleetcharge.fleets.endpoints import router as vehicles_router
from fleetcharge.ratelimit.policy import LimitPolicy
from fleetcharge.ratelimit.service import RateLimiter, make_storage
from fleetcharge.settings import Settings, get_settings
from fleetcharge.site_control.wiring import site_control_for
from fleetcharge.web.direct_routes import DirectRoutes
from fleetcharge.web.health import router as health_router
from fleetcharge.web.lifespan import lifespan
from fleetcharge.web.middleware import HostGuard, RequestContext
from fleetcharge.webhook_events.openapi import add_webhooks

API_PREFIX = "/api/fleets/v1"

DESCRIPTION = """
Read-only API for fleet managers and site hosts, wire-compatible with the published
Chargefox Fleets API 1.0.

* Authenticate with `Authorization: Bearer <token>`; a token belongs to one organisation
  and is scoped to some of the four endpoints (401 invalid, 403 not entitled).
* Lists hold 100 records a page; follow `pagination.next` (absent on the last page).
* `date_from` / `date_to` are inclusive `YYYY-MM-DD` dates; for sessions they match the
  **local calendar date of completion at the station**, for invoices the invoice date.
* Durations on /usage and /sessions are **seconds truncated to whole minutes**; invoice
  `charge_sessions[].total_time` is in whole minutes. Energy is kWh (3 decimals); money is
  GST-inclusive with 2 decimals.
* A session the network holds for review (more energy than its charger or vehicle could
  deliver in the time, or station times that cannot be believed) is on neither /usage nor
  /sessions, nor on any invoice, until the operator accepts or corrects it; it then appears
  with its own completion date, like a station's offline queue arriving late.
* Card ids: `auth_id` is the real id tag only for cards your own fleets paid with. On
  /sessions and on site-host invoices and RCTIs, every other card (another organisation's,
  a public driver's) is a pseudonym, `anon-` and 20 hex digits: stable for that card across
  pages, documents and time, different for every organisation, not reversible.
* Errors: `{"error": {"code", "message", "parameter"?}}` with 400, 401, 403, 404, 429 or 503.
* Rate limits per token and endpoint (by default the published table: /usage and /sessions
  18 calls per 15 minutes and 50 per hour, /invoices 18 per hour, /vehicles unlimited).
  Limited responses carry `X-RateLimit-Limit`, `X-RateLimit-Remaining` and
  `X-RateLimit-Reset` (Unix seconds) for the window closest to running out; 429 adds
  `Retry-After` (seconds). A refused call does not count.
* 503 (with `Retry-After`) when the database is briefly unavailable: retry.
"""


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Invalid query parameter (named in the body)."},
    401: {
        "model": ErrorBody,
        "description": "Missing, malformed, unknown, revoked or expired token; sent with "
        "`WWW-Authenticate: Bearer`.",
    },
    403: {"model": ErrorBody, "description": "The token is not entitled to this endpoint."},
    429: {
        "model": ErrorBody,
        "description": "Rate limit reached; `Retry-After` says in how many seconds to retry.",
    },
    503: {
        "model": ErrorBody,
        "description": "The database is briefly unavailable; retry after `Retry-After` seconds.",
    },
}


# Parameters are declared as text so that we parse them (400, never 422); the document
# shows what they accept.
PARAMETER_SCHEMAS: dict[str, dict[str, Any]] = {
    "page": {"type": "integer", "minimum": 1, "maximum": 999_999_999_999},
    "date_from": {
        "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]
    },
}
PARAMETER_SCHEMAS["date_to"] = PARAMETER_SCHEMAS["date_from"]


def _documented(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """FastAPI's document with our parameter schemas and without its 422 responses."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    operation.get("responses", {}).pop("422", None)
                    for parameter in operation.get("parameters", ()):
                        declared = PARAMETER_SCHEMAS.get(parameter["name"])
                        if declared is not None:
                            description = parameter["schema"].get("description")
                            parameter["schema"] = {**declared, "description": description}
            for name in ("HTTPValidationError", "ValidationError"):
                schema.get("components", {}).get("schemas", {}).pop(name, None)
            app.openapi_schema = schema
        return app.openapi_schema

    return openapi


def served(app: FastAPI) -> ASGIApp:
    """What a server runs: the app, with charge stations' WebSockets (csms.direct_ocpp) and
    the polled list endpoints (web.direct_routes) taken past its per-request machinery."""
    routes = DirectRoutes(app, API_PREFIX, rest=DirectOcpp(app))
    return HostGuard(routes, app.state.allowed_hosts, app.state.public_base_url)


def create_app(engine: Engine | None = None, settings: Settings | None = None) -> FastAPI:
    app = FastAPI(
        title="fleetcharge Fleets API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # add_docs_pages: the same pages, working offline
        redoc_url=None,
        lifespan=lifespan,
    )
    settings = settings or get_settings()
    app.state.engine = engine or engine_for(settings.database_url)
    app.state.loop_engine = None  # opened by the lifespan on PostgreSQL
    app.state.allowed_hosts = settings.allowed_host_names()
    app.state.public_base_url = settings.public_base_url
    app.state.file_settings = FileSettings.of(settings)
    app.state.limit_policy = LimitPolicy(
        settings.rate_limit_defaults(), enabled=settings.rate_limits_enabled
    )
    app.state.rate_limiter = RateLimiter(
        make_storage(settings.redis_url, settings.redis_key_prefix)
    )
    # OCPP 1.6J charge stations connect to ws://.../ocpp/{identity} on the same server.
    app.state.central_system = central_system_for(app.state.engine, settings)
    # Smart charging: each site with a power limit allocated and its limits sent as profiles.
    central = app.state.central_system
    app.state.site_control = site_control_for(
        app.state.engine, central.router, settings, lambda: central.config.now()
    )
    install_error_handlers(app)
    app.add_exception_handler(StarletteHTTPException, _http_error_by_area)
    app.add_middleware(RequestContext)
    app.include_router(health_router)
    api = APIRouter(prefix=API_PREFIX, tags=["Fleets"], responses=ERROR_RESPONSES)
    for router in (sessions_router, vehicles_router, invoices_router):
        api.include_router(router)
    app.include_router(api)
    app.include_router(ocpp_router)
    app.include_router(station_files_router)  # stations' firmware and upload links
    add_docs_pages(app, API_PREFIX)
    add_webhooks(app)
    app.mount(ASSETS_PATH, DocsAssets())
    app.mount(ADMIN_PREFIX, create_admin_app(app.state))
    add_console(app, settings)
    app.openapi = _documented(app)  # type: ignore[method-assign]
    return app


async def _http_error_by_area(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith(f"{ADMIN_PREFIX}/"):
        return await refused_or_http_error(request, exc)
    return await http_error(request, exc)
