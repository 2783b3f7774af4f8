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
from fleetcharge.fleets import fleet_records as service
from fleetcharge.fleets.admin_schemas import FleetCreate, FleetRename, FleetView
from fleetcharge.organisations.service import visible_organisation
from fleetcharge.permissions import Actor

router = APIRouter(prefix="/fleets", tags=["Fleets"])

OrganisationFilter = Annotated[UUID | None, Query(description="Only this organisation's.")]
Search = Annotated[str | None, Query(description="Part of the name.")]


@router.get("", summary="List fleets", **lists(FleetView))
def list_fleets(
    request: Request,
    cursor: Cursor = None,
    limit: Limit = None,
    organisation_uuid: OrganisationFilter = None,
    q: Search = None,
) -> Response:
    with admin_call(request, "fleets", "read") as (db, actor):
        organisation_id = None
        if organisation_uuid is not None:
            organisation_id = visible_organisation(
                db, actor, organisation_uuid, parameter="organisation_uuid"
            ).id
        page = service.list_fleets(
            db, actor, page_request(cursor, limit), organisation_id=organisation_id, q=q
        )
        return page_response(request, page, service.fleet_view)


@router.post("", summary="Create a fleet", **creates(FleetView))
def create_fleet(request: Request, body: FleetCreate) -> Response:
    def make(db: Session, actor: Actor) -> tuple[int, dict[str, Any]]:
        return 201, service.fleet_view(service.create_fleet(db, actor, body))

    return create(request, "fleets", "create", body, make)


@router.get("/{uuid}", summary="Show a fleet", **shows(FleetView))
def show_fleet(request: Request, uuid: UUID) -> Response:
    with admin_call(request, "fleets", "read") as (db, actor):
        return object_response(service.fleet_view(service.get_fleet(db, actor, uuid)))


@router.patch("/{uuid}", summary="Rename a fleet (send its ETag in If-Match)", **changes(FleetView))
def rename_fleet(request: Request, uuid: UUID, body: FleetRename) -> Response:
    version = expected_version(request)
    with admin_call(request, "fleets", "update") as (db, actor):
        fleet = service.get_fleet(db, actor, uuid)
        service.rename_fleet(db, actor, fleet, body, version)
        return object_response(service.fleet_view(fleet))
