"""The ASGI application."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine

from fleetcharge import __version__
from fleetcharge.api.errors import install_error_handlers
from fleetcharge.api.schemas import ErrorBody
from fleetcharge.billing.endpoints import router as invoices_router
from fleetcharge.charging.endpoints import router as sessions_router
from fleetcharge.csms.transport import central_system_for
from fleetcharge.csms.transport import router as ocpp_router
from fleetcharge.db import engine_for
from fleetcharge.fleets.endpoints import router as vehicles_router
from fleetcharge.settings import get_settings

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
* Errors: `{"error": {"code", "message", "parameter"?}}` with 400, 401, 403, 404 or 429.
"""


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Invalid query parameter (named in the body)."},
    401: {
        "model": ErrorBody,
        "description": "Missing, malformed, unknown, revoked or expired token; sent with "
        "`WWW-Authenticate: Bearer`.",
    },
    403: {"model": ErrorBody, "description": "The token is not entitled to this endpoint."},
}


def _without_validation_errors(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """Our parameters are parsed by hand (400, never 422): drop FastAPI's 422 documentation."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    operation.get("responses", {}).pop("422", None)
            for name in ("HTTPValidationError", "ValidationError"):
                schema.get("components", {}).get("schemas", {}).pop(name, None)
            app.openapi_schema = schema
        return app.openapi_schema

    return openapi


def create_app(engine: Engine | None = None) -> FastAPI:
    app = FastAPI(
        title="fleetcharge Fleets API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=f"{API_PREFIX}/redoc",
    )
    settings = get_settings()
    app.state.engine = engine or engine_for(settings.database_url)
    # OCPP 1.6J charge stations connect to ws://.../ocpp/{identity} on the same server.
    app.state.central_system = central_system_for(app.state.engine, settings)
    install_error_handlers(app)
    api = APIRouter(prefix=API_PREFIX, tags=["Fleets"], responses=ERROR_RESPONSES)
    for router in (sessions_router, vehicles_router, invoices_router):
        api.include_router(router)
    app.include_router(api)
    app.include_router(ocpp_router)
    app.openapi = _without_validation_errors(app)  # type: ignore[method-assign]
    return app
