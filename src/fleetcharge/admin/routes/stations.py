from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from fleetcharge.admin.calls import (
    Cursor,
    Limit,
    admin_call,
    create,
    expected_version,
    object_response,
    page_request,
    page_response,
)
from fleetcharge.admin.documents import changes, creates, lists, shows
from fleetcharge.csms import held_sessions
from fleetcharge.network import passwords
from fleetcharge.network import stations as service
from fleetcharge.network.schemas import (
    ApprovalView,
    PasswordBody,
    PasswordView,
    StationCreate,
    StationUpdate,
    StationView,
)
from fleetcharge.permissions import Actor

router = APIRouter(prefix="/stations", tags=["Stations"])

Search = Annotated[str | None, Query(description="Part of the name, identity or EVSE id.")]
AtLocation = Annotated[UUID | None, Query(description="Only this location's stations.")]
Host = Annotated[UUID | None, Query(description="Only stations this organisation hosts.")]
Status = Annotated[
    service.Status | None,
    Query(description="active, pending (auto-registered, awaiting approval) or decommissioned."),
]


@router.get("", summary="List stations", **lists(StationView))
def list_stations(
    request: Request,
    cursor: Cursor = None,
    limit: Limit = None,
    location_uuid: AtLocation = None,
    organisation_uuid: Host = None,
    status: Status = None,
    q: Search = None,
) -> Response:
    with admin_call(request, "stations", "read") as (db, actor):
        page = service.list_stations(
            db,
            actor,
            page_request(cursor, limit),
            location_uuid=location_uuid,
            organisation_uuid=organisation_uuid,
            status=status,
            q=q,
        )
        return page_response(request, page, service.station_view)


@router.post("", summary="Create a station with its connectors", **creates(StationView))
def create_station(request: Request, body: StationCreate) -> Response:
    def make(db: Session, actor: Actor) -> tuple[int, dict[str, Any]]:
        return 201, service.station_view(service.create_station(db, actor, body))

    return create(request, "stations", "create", body, make)


@router.get("/{uuid}", summary="Show a station", **shows(StationView))
def show_station(request: Request, uuid: UUID) -> Response:
    with admin_call(request, "stations", "read") as (db, actor):
        return object_response(service.station_view(service.get_station(db, actor, uuid)))


@router.patch(
    "/{uuid}",
    summary="Change a station: name, power, type, location, default tariff, connectors "
    "(send its ETag in If-Match)",
    **changes(StationView),
)
def update_station(request: Request, uuid: UUID, body: StationUpdate) -> Response:
    version = expected_version(request)
    with admin_call(request, "stations", "update") as (db, actor):
        station = service.get_station(db, actor, uuid)
        service.update_station(db, actor, station, body, version)
        return object_response(service.station_view(station))


@router.post(
    "/{uuid}/decommission",
    summary="Decommission a station: refused on connect from now on, its history kept",
    **shows(StationView, "The station, decommissioned."),
)
def decommission_station(request: Request, uuid: UUID) -> Response:
    with admin_call(request, "stations", "update") as (db, actor):
        station = service.decommission(db, actor, service.get_station(db, actor, uuid))
        return object_response(service.station_view(station))


@router.post(
    "/{uuid}/approve",
    summary="Approve an auto-registered (pending) station: accepted from its next "
    "BootNotification, its held sessions recorded and billed",
    **shows(ApprovalView, "The station, accepted (again: no change, nothing recorded)."),
)
def approve_station(request: Request, uuid: UUID) -> Response:
    with admin_call(request, "stations", "approve") as (db, actor):
        approval = held_sessions.approve_station(db, actor, service.get_station(db, actor, uuid))
        return object_response(held_sessions.approval_view(approval))


@router.post(
    "/{uuid}/password",
    summary="Set or rotate a station's password (a generated one is shown once)",
    **creates(PasswordView, "Set: required from the station's next connection.", status=200),
)
def set_password(request: Request, uuid: UUID, body: PasswordBody | None = None) -> Response:
    wanted = body or PasswordBody()

    def make(db: Session, actor: Actor) -> tuple[int, dict[str, Any]]:
        station = service.get_station(db, actor, uuid)
        result = passwords.set_password(db, actor, station, wanted.password)
        return 200, passwords.password_view(result)

    return create(request, "stations", "update", wanted, make)
