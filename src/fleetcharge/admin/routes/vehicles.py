from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from fleetcharge.admin.calls import Cursor, Limit, page_request
from fleetcharge.admin.documents import IF_MATCH, changes, creates, lists, shows
from fleetcharge.admin.resources import Resource, listed, organisation_filter
from fleetcharge.fleets import vehicle_records as service
from fleetcharge.fleets.admin_schemas import VehicleCreate, VehicleMove, VehicleUpdate, VehicleView
from fleetcharge.fleets.fleet_records import get_fleet
from fleetcharge.kit.cursors import Page
from fleetcharge.permissions import Actor

router = APIRouter(prefix="/vehicles", tags=["Vehicles"])
VEHICLES = Resource("vehicles", service.get_vehicle, service.vehicle_view)

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
    def fetch(db: Session, actor: Actor) -> Page[dict[str, Any]]:
        organisation_id = organisation_filter(db, actor, organisation_uuid)
        fleet_id = None if fleet_uuid is None else get_fleet(db, actor, fleet_uuid).id
        return service.list_vehicles(
            db,
            actor,
            page_request(cursor, limit),
            organisation_id=organisation_id,
            fleet_id=fleet_id,
            status=status,
            q=q,
        )

    return listed(request, VEHICLES.name, fetch, dict)  # rows read as views already


@router.post("", summary="Create a vehicle", **creates(VehicleView))
def create_vehicle(request: Request, body: VehicleCreate) -> Response:
    return VEHICLES.create(request, body, lambda db, actor: service.create_vehicle(db, actor, body))


@router.get("/{uuid}", summary="Show a vehicle", **shows(VehicleView))
def show_vehicle(request: Request, uuid: UUID) -> Response:
    return VEHICLES.show(request, uuid)


@router.patch(
    "/{uuid}",
    summary="Change a vehicle's registration or contract, or retire it (If-Match)",
    **changes(VehicleView),
)
def update_vehicle(request: Request, uuid: UUID, body: VehicleUpdate) -> Response:
    return VEHICLES.change(
        request, uuid, lambda db, a, vehicle, v: service.update_vehicle(db, a, vehicle, body, v)
    )


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
    return VEHICLES.change(
        request,
        uuid,
        lambda db, a, vehicle, v: service.move_vehicle(db, a, vehicle, body, v),
        status=201,
    )
