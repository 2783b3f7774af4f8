from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from fleetcharge.admin.calls import Cursor, Limit, page_request
from fleetcharge.admin.documents import changes, creates, lists, shows
from fleetcharge.admin.resources import Resource
from fleetcharge.network import locations as service
from fleetcharge.network.schemas import LocationCreate, LocationUpdate, LocationView

router = APIRouter(prefix="/locations", tags=["Locations"])
LOCATIONS = Resource("locations", service.get_location, service.location_view)

Search = Annotated[str | None, Query(description="Part of the name or address.")]
Host = Annotated[UUID | None, Query(description="Only the sites this organisation hosts.")]


@router.get("", summary="List locations", **lists(LocationView))
def list_locations(
    request: Request,
    cursor: Cursor = None,
    limit: Limit = None,
    organisation_uuid: Host = None,
    q: Search = None,
) -> Response:
    return LOCATIONS.page(
        request,
        lambda db, actor: service.list_locations(
            db, actor, page_request(cursor, limit), organisation_uuid=organisation_uuid, q=q
        ),
    )


@router.post("", summary="Create a location", **creates(LocationView))
def create_location(request: Request, body: LocationCreate) -> Response:
    return LOCATIONS.create(
        request, body, lambda db, actor: service.create_location(db, actor, body)
    )


@router.get("/{uuid}", summary="Show a location", **shows(LocationView))
def show_location(request: Request, uuid: UUID) -> Response:
    return LOCATIONS.show(request, uuid)


@router.patch(
    "/{uuid}", summary="Change a location (send its ETag in If-Match)", **changes(LocationView)
)
def update_location(request: Request, uuid: UUID, body: LocationUpdate) -> Response:
    return LOCATIONS.change(
        request, uuid, lambda db, a, location, v: service.update_location(db, a, location, body, v)
    )
