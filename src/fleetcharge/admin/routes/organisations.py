from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from fleetcharge.admin.calls import Cursor, Limit, page_request
from fleetcharge.admin.documents import changes, creates, lists, shows
from fleetcharge.admin.resources import Resource
from fleetcharge.organisations import service
from fleetcharge.organisations.schemas import (
    OrganisationCreate,
    OrganisationUpdate,
    OrganisationView,
)

router = APIRouter(prefix="/organisations", tags=["Organisations"])
ORGANISATIONS = Resource("organisations", service.get_organisation, service.organisation_view)

Search = Annotated[str | None, Query(description="Part of the name, or the exact ABN.")]


@router.get("", summary="List organisations", **lists(OrganisationView))
def list_organisations(
    request: Request, cursor: Cursor = None, limit: Limit = None, q: Search = None
) -> Response:
    return ORGANISATIONS.page(
        request,
        lambda db, actor: service.list_organisations(db, actor, page_request(cursor, limit), q),
    )


@router.post("", summary="Create an organisation", **creates(OrganisationView))
def create_organisation(request: Request, body: OrganisationCreate) -> Response:
    return ORGANISATIONS.create(
        request, body, lambda db, actor: service.create_organisation(db, actor, body)
    )


@router.get("/{uuid}", summary="Show an organisation", **shows(OrganisationView))
def show_organisation(request: Request, uuid: UUID) -> Response:
    return ORGANISATIONS.show(request, uuid)


@router.patch(
    "/{uuid}",
    summary="Change an organisation (send its ETag in If-Match)",
    **changes(OrganisationView),
)
def update_organisation(request: Request, uuid: UUID, body: OrganisationUpdate) -> Response:
    return ORGANISATIONS.change(
        request,
        uuid,
        lambda db, a, organisation, v: service.update_organisation(db, a, organisation, body, v),
    )
