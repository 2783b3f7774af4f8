"""Smart Charging commands to a station (SetChargingProfile, ClearChargingProfile,
GetCompositeSchedule) and the record of the profiles sent. Registered before the stations'
routes."""

from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from fleetcharge.admin.calls import (
    Cursor,
    Limit,
    admin_call,
    authorised,
    json_response,
    page_request,
    page_response,
)
from fleetcharge.admin.documents import lists
from fleetcharge.admin.routes.station_commands import SENDS
from fleetcharge.charging_profiles import repository, service
from fleetcharge.charging_profiles.schemas import (
    MAX_DURATION_S,
    MAX_INT32,
    ChargingProfileView,
    ClearProfileBody,
    ProfileCommandView,
    SetProfileBody,
)
from fleetcharge.csms.routing import StationRouter
from fleetcharge.db import unit_of_work

router = APIRouter(prefix="/stations/{identity}", tags=["Smart charging"])
SENDS_PROFILE: dict[str, Any] = {
    **SENDS,
    "responses": {**SENDS["responses"], 200: {"model": ProfileCommandView}},
}


def _router(request: Request) -> StationRouter:
    station_router: StationRouter = request.app.state.central_system.router
    return station_router


def _sessions(request: Request) -> service.SessionFactory:
    return partial(unit_of_work, request.app.state.engine)


@router.post(
    "/charging-profiles",
    summary="Install a charging profile on a connector (SetChargingProfile)",
    **SENDS_PROFILE,
)
async def set_profile(request: Request, identity: str, body: SetProfileBody) -> Response:
    actor = authorised(request, "stations", "command")
    outcome = await service.send_profile(
        _router(request),
        _sessions(request),
        identity=identity,
        connector_id=body.connector_id,
        profile=body.charging_profile.payload(),
        source="operator",
        actor=actor,
        at=request.app.state.central_system.config.now(),
    )
    return _answered(identity, outcome, charging_profile=outcome.record)


@router.delete(
    "/charging-profiles",
    summary="Clear charging profiles: by id, else by connector, purpose, stack level",
    **SENDS_PROFILE,
)
async def clear_profiles(request: Request, identity: str, body: ClearProfileBody) -> Response:
    actor = authorised(request, "stations", "command")
    outcome = await service.clear_profile(
        _router(request),
        _sessions(request),
        identity=identity,
        profile_id=body.id,
        connector_id=body.connector_id,
        purpose=body.charging_profile_purpose,
        stack_level=body.stack_level,
        actor=actor,
        at=request.app.state.central_system.config.now(),
    )
    return _answered(identity, outcome, cleared=outcome.cleared)


def _answered(
    identity: str, outcome: service.ProfileOutcome | service.ClearOutcome, **extra: Any
) -> Response:
    """The station's answer; NotSupported is an answer too (200), other failures were
    recorded and are answered as every command is (404, 502, 504)."""
    if outcome.error is not None and outcome.status != "NotSupported":
        raise outcome.error
    answer = outcome.answer.answer if outcome.answer else None
    return json_response({"station": identity, "status": outcome.status, "answer": answer, **extra})


@router.get(
    "/charging-profiles",
    summary="The charging profiles sent to the station, newest first",
    **lists(ChargingProfileView),
)
def list_profiles(
    request: Request,
    identity: str,
    cursor: Cursor = None,
    limit: Limit = None,
    installed: Annotated[
        bool, Query(description="Only those accepted and not cleared since.")
    ] = False,
) -> Response:
    with admin_call(request, "stations", "read") as (db, _):
        station = repository.station_of(db, identity)
        page = repository.list_profiles(
            db, station.id, page_request(cursor, limit), installed=installed
        )
        return page_response(request, page, repository.view)


@router.get(
    "/composite-schedule",
    summary="What the station will draw on a connector (GetCompositeSchedule)",
    **SENDS,
)
async def composite_schedule(
    request: Request,
    identity: str,
    connector_id: Annotated[int, Query(ge=0, le=MAX_INT32, description="0: the station.")],
    duration: Annotated[int, Query(ge=1, le=MAX_DURATION_S, description="Seconds.")],
    unit: Annotated[Literal["A", "W"] | None, Query(description="A or W.")] = None,
) -> Response:
    authorised(request, "stations", "command")
    answer = await service.composite_schedule(
        _router(request),
        identity=identity,
        connector_id=connector_id,
        duration=duration,
        unit=unit,
    )
    return json_response(answer.to_json())
