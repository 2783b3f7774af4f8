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
from fleetcharge.organisations import service
from fleetcharge.organisations.schemas import (
    OrganisationCreate,
    OrganisationUpdate,
    OrganisationView,
)
from fleetcharge.permissions import Actor

router = APIRouter(prefix="/organisations", tags=["Organisations"])

Search = Annotated[str | None, Query(description="Part of the name, or the exact ABN.")]


@router.get("", summary="List organisations", **lists(OrganisationView))
def list_organisations(
    request: Request, cursor: Cursor = None, limit: Limit = None, q: Search = None
) -> Response:
    with admin_call(request, "organisations", "read") as (db, actor):
        page = service.list_organisations(db, actor, page_request(cursor, limit), q)
        return page_response(request, page, service.organisation_view)


@router.post("", summary="Create an organisation", **creates(OrganisationView))
def create_organisation(request: Request, body: OrganisationCreate) -> Response:
    def make(db: Session, actor: Actor) -> tuple[int, dict[str, Any]]:
        organisation = service.create_organisation(db, actor, body)
        return 201, service.organisation_view(organisation)

    return create(request, "organisations", "create", body, make)


@router.get("/{uuid}", summary="Show an organisation", **shows(OrganisationView))
def show_organisation(request: Request, uuid: UUID) -> Response:
    with admin_call(request, "organisations", "read") as (db, actor):
        organisation = service.get_organisation(db, actor, uuid)
        return object_response(service.organisation_view(organisation))


@router.patch(
    "/{uuid}",
    summary="Change an organisation (send its ETag in If-Match)",
    **changes(OrganisationView),
)
def update_organisation(request: Request, uuid: UUID, body: OrganisationUpdate) -> Response:
    version = expected_version(request)
    with admin_call(request, "organisations", "update") as (db, actor):
        organisation = service.get_organisation(db, actor, uuid)
        service.update_organisation(db, actor, organisation, body, version)
        return object_response(service.organisation_view(organisation))
