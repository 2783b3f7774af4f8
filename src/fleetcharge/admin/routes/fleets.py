from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from fleetcharge.admin.calls import Cursor, Limit, page_request
from fleetcharge.admin.documents import changes, creates, lists, shows
from fleetcharge.admin.resources import Resource, organisation_filter
from fleetcharge.fleets import fleet_records as service
from fleetcharge.fleets.admin_schemas import FleetCreate, FleetRename, FleetView
from fleetcharge.kit.cursors import Page
from fleetcharge.models import Fleet
from fleetcharge.permissions import Actor

router = APIRouter(prefix="/fleets", tags=["Fleets"])
FLEETS = Resource("fleets", service.get_fleet, service.fleet_view)

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
    def fetch(db: Session, actor: Actor) -> Page[Fleet]:
        organisation_id = organisation_filter(db, actor, organisation_uuid)
        page = page_request(cursor, limit)
        return service.list_fleets(db, actor, page, organisation_id=organisation_id, q=q)

    return FLEETS.page(request, fetch)


@router.post("", summary="Create a fleet", **creates(FleetView))
def create_fleet(request: Request, body: FleetCreate) -> Response:
    return FLEETS.create(request, body, lambda db, actor: service.create_fleet(db, actor, body))


@router.get("/{uuid}", summary="Show a fleet", **shows(FleetView))
def show_fleet(request: Request, uuid: UUID) -> Response:
    return FLEETS.show(request, uuid)


@router.patch("/{uuid}", summary="Rename a fleet (send its ETag in If-Match)", **changes(FleetView))
def rename_fleet(request: Request, uuid: UUID, body: FleetRename) -> Response:
    return FLEETS.change(
        request, uuid, lambda db, a, fleet, v: service.rename_fleet(db, a, fleet, body, v)
    )
