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
from fleetcharge.network import locations as service
from fleetcharge.network.schemas import LocationCreate, LocationUpdate, LocationView
from fleetcharge.permissions import Actor

router = APIRouter(prefix="/locations", tags=["Locations"])

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
    with admin_call(request, "locations", "read") as (db, actor):
        page = service.list_locations(
            db, actor, page_request(cursor, limit), organisation_uuid=organisation_uuid, q=q
        )
        return page_response(request, page, service.location_view)


@router.post("", summary="Create a location", **creates(LocationView))
def create_location(request: Request, body: LocationCreate) -> Response:
    def make(db: Session, actor: Actor) -> tuple[int, dict[str, Any]]:
        return 201, service.location_view(service.create_location(db, actor, body))

    return create(request, "locations", "create", body, make)


@router.get("/{uuid}", summary="Show a location", **shows(LocationView))
def show_location(request: Request, uuid: UUID) -> Response:
    with admin_call(request, "locations", "read") as (db, actor):
        return object_response(service.location_view(service.get_location(db, actor, uuid)))


@router.patch(
    "/{uuid}", summary="Change a location (send its ETag in If-Match)", **changes(LocationView)
)
def update_location(request: Request, uuid: UUID, body: LocationUpdate) -> Response:
    version = expected_version(request)
    with admin_call(request, "locations", "update") as (db, actor):
        location = service.get_location(db, actor, uuid)
        service.update_location(db, actor, location, body, version)
        return object_response(service.location_view(location))
