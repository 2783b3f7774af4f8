from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from fleetcharge.admin.calls import Cursor, Limit, admin_call, create, object_response, page_request
from fleetcharge.admin.documents import changes, creates, lists, shows
from fleetcharge.admin.resources import Resource
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
STATIONS = Resource("stations", service.get_station, service.station_view)

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
    return STATIONS.page(
        request,
        lambda db, actor: service.list_stations(
            db,
            actor,
            page_request(cursor, limit),
            location_uuid=location_uuid,
            organisation_uuid=organisation_uuid,
            status=status,
            q=q,
        ),
    )


@router.post("", summary="Create a station with its connectors", **creates(StationView))
def create_station(request: Request, body: StationCreate) -> Response:
    return STATIONS.create(request, body, lambda db, actor: service.create_station(db, actor, body))


@router.get("/{uuid}", summary="Show a station", **shows(StationView))
def show_station(request: Request, uuid: UUID) -> Response:
    return STATIONS.show(request, uuid)


@router.patch(
    "/{uuid}",
    summary="Change a station: name, power, type, location, default tariff, connectors "
    "(send its ETag in If-Match)",
    **changes(StationView),
)
def update_station(request: Request, uuid: UUID, body: StationUpdate) -> Response:
    return STATIONS.change(
        request, uuid, lambda db, a, station, v: service.update_station(db, a, station, body, v)
    )


@router.post(
    "/{uuid}/decommission",
    summary="Decommission a station: refused on connect from now on, its history kept",
    **shows(StationView, "The station, decommissioned."),
)
def decommission_station(request: Request, uuid: UUID) -> Response:
    return STATIONS.answer(
        request,
        "update",
        lambda db, actor: service.decommission(db, actor, service.get_station(db, actor, uuid)),
    )


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
