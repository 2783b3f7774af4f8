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
from fleetcharge.admin.documents import IF_MATCH, changes, creates, lists, shows
from fleetcharge.fleets import vehicle_records as service
from fleetcharge.fleets.admin_schemas import VehicleCreate, VehicleMove, VehicleUpdate, VehicleView
from fleetcharge.fleets.fleet_records import get_fleet
from fleetcharge.organisations.service import visible_organisation
from fleetcharge.permissions import Actor

router = APIRouter(prefix="/vehicles", tags=["Vehicles"])

OrganisationFilter = Annotated[UUID | None, Query(description="Only this organisation's.")]
FleetFilter = Annotated[UUID | None, Query(description="Only this fleet's.")]
StatusFilter = Annotated[
    str | None,
    Query(
        description="active, or retired (its effective_to has passed).",
        json_schema_extra={"enum": list(service.VEHICLE_STATUSES)},
    ),
]
Search = Annotated[
    str | None, Query(description="Part of the VIN, registration or contract number.")
]


@router.get("", summary="List vehicles", **lists(VehicleView))
def list_vehicles(
    request: Request,
    cursor: Cursor = None,
    limit: Limit = None,
    organisation_uuid: OrganisationFilter = None,
    fleet_uuid: FleetFilter = None,
    status: StatusFilter = None,
    q: Search = None,
) -> Response:
    with admin_call(request, "vehicles", "read") as (db, actor):
        organisation_id = fleet_id = None
        if organisation_uuid is not None:
            organisation_id = visible_organisation(
                db, actor, organisation_uuid, parameter="organisation_uuid"
            ).id
        if fleet_uuid is not None:
            fleet_id = get_fleet(db, actor, fleet_uuid).id
        page = service.list_vehicles(
            db,
            actor,
            page_request(cursor, limit),
            organisation_id=organisation_id,
            fleet_id=fleet_id,
            status=status,
            q=q,
        )
        return page_response(request, page, dict)


@router.post("", summary="Create a vehicle", **creates(VehicleView))
def create_vehicle(request: Request, body: VehicleCreate) -> Response:
    def make(db: Session, actor: Actor) -> tuple[int, dict[str, Any]]:
        return 201, service.vehicle_view(service.create_vehicle(db, actor, body))

    return create(request, "vehicles", "create", body, make)


@router.get("/{uuid}", summary="Show a vehicle", **shows(VehicleView))
def show_vehicle(request: Request, uuid: UUID) -> Response:
    with admin_call(request, "vehicles", "read") as (db, actor):
        return object_response(service.vehicle_view(service.get_vehicle(db, actor, uuid)))


@router.patch(
    "/{uuid}",
    summary="Change a vehicle's registration or contract, or retire it (If-Match)",
    **changes(VehicleView),
)
def update_vehicle(request: Request, uuid: UUID, body: VehicleUpdate) -> Response:
    version = expected_version(request)
    with admin_call(request, "vehicles", "update") as (db, actor):
        vehicle = service.get_vehicle(db, actor, uuid)
        service.update_vehicle(db, actor, vehicle, body, version)
        return object_response(service.vehicle_view(vehicle))


@router.post(
    "/{uuid}/move",
    summary="Move a vehicle to another fleet from a day (If-Match)",
    description="Retires this record the day before `from` and answers the vehicle's new "
    "record in the new fleet; its cards follow it, for sessions starting from that day.",
    status_code=201,
    responses={201: {"model": VehicleView, "description": "The vehicle's new record."}},
    openapi_extra={"parameters": [IF_MATCH]},
)
def move_vehicle(request: Request, uuid: UUID, body: VehicleMove) -> Response:
    version = expected_version(request)
    with admin_call(request, "vehicles", "update") as (db, actor):
        vehicle = service.get_vehicle(db, actor, uuid)
        moved = service.move_vehicle(db, actor, vehicle, body, version)
        return object_response(service.vehicle_view(moved), 201)
