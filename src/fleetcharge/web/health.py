"""Operations endpoints, outside the Fleets API: liveness, readiness, Prometheus metrics."""

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from limits.storage import RedisStorage
from sqlalchemy import text

from fleetcharge.api.errors import error_response
from fleetcharge.metrics import render

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up and serving (it does not look at the database)."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """Ready for traffic: the database answers, and Redis when one is configured."""
    checks: dict[str, Any] = {}
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:  # any failure means not ready; say which
        checks["database"] = f"unavailable: {type(error).__name__}"
    storage = request.app.state.rate_limiter.storage
    if isinstance(storage, RedisStorage):
        checks["redis"] = "ok" if _redis_ok(storage) else "unavailable"
    failing = [name for name, state in checks.items() if state != "ok"]
    if failing:
        response = error_response(
            503, "service_unavailable", f"not ready: {', '.join(failing)} unavailable"
        )
        response.headers["Retry-After"] = "5"
        return response
    return JSONResponse({"status": "ready", "checks": checks})


def _redis_ok(storage: RedisStorage) -> bool:
    try:
        return bool(storage.check())
    except Exception:
        return False


@router.get("/metrics")
def metrics(request: Request) -> Response:
    body, content_type = render(request.app.state.engine)
    return Response(body, media_type=content_type)
