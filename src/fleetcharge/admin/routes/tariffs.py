from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Query, Request, Response
from sqlalchemy.orm import Session

from fleetcharge.admin.calls import (
    Cursor,
    Limit,
    admin_call,
    create,
    json_response,
    object_response,
    page_request,
    page_response,
)
from fleetcharge.admin.documents import creates, lists, shows
from fleetcharge.permissions import Actor
from fleetcharge.tariffs import admin as service
from fleetcharge.tariffs.admin import OverrideBody, OverrideView, TariffView, VersionView

router = APIRouter(prefix="/tariffs", tags=["Tariffs"])

Search = Annotated[str | None, Query(description="Part of the name.")]


@router.get("", summary="List tariffs", **lists(TariffView))
def list_tariffs(
    request: Request, cursor: Cursor = None, limit: Limit = None, q: Search = None
) -> Response:
    with admin_call(request, "tariffs", "read") as (db, actor):
        page = service.list_tariffs(db, actor, page_request(cursor, limit), q)
        return page_response(request, page, lambda tariff: service.tariff_view(db, tariff))


@router.post(
    "",
    summary="Create a tariff from its OCPI-style document (see docs/tariffs.md)",
    **creates(TariffView),
)
def create_tariff(request: Request, body: Annotated[dict[str, Any], Body()]) -> Response:
    def make(db: Session, actor: Actor) -> tuple[int, dict[str, Any]]:
        return 201, service.tariff_view(db, service.create_from_document(db, actor, body))

    return create(request, "tariffs", "create", body, make)


@router.get("/{uuid}", summary="Show a tariff", **shows(TariffView))
def show_tariff(request: Request, uuid: UUID) -> Response:
    with admin_call(request, "tariffs", "read") as (db, actor):
        return object_response(service.tariff_view(db, service.get_tariff(db, actor, uuid)))


@router.get(
    "/{uuid}/versions",
    summary="Every version of a tariff, oldest first, and which is in force now",
    **lists(VersionView, paged=False),
)
def list_versions(request: Request, uuid: UUID) -> Response:
    with admin_call(request, "tariffs", "read") as (db, actor):
        rows = service.list_versions(db, actor, service.get_tariff(db, actor, uuid))
        return json_response({"data": rows})


@router.post(
    "/{uuid}/versions",
    summary="Publish a new version of a tariff from its start_date_time on (never in the "
    "past): sessions starting from then are priced by it",
    **creates(VersionView),
)
def publish_version(
    request: Request, uuid: UUID, body: Annotated[dict[str, Any], Body()]
) -> Response:
    def make(db: Session, actor: Actor) -> tuple[int, dict[str, Any]]:
        tariff = service.get_tariff(db, actor, uuid)
        return 201, service.publish_version(db, actor, tariff, body, datetime.now(UTC))

    return create(request, "tariffs", "update", body, make)


@router.get(
    "/{uuid}/overrides",
    summary="Where organisations' own cards get this tariff",
    **lists(OverrideView, paged=False),
)
def list_overrides(request: Request, uuid: UUID) -> Response:
    with admin_call(request, "tariffs", "read") as (db, actor):
        overrides = service.list_overrides(db, actor, service.get_tariff(db, actor, uuid))
        return json_response({"data": [service.override_view(db, o) for o in overrides]})


@router.post(
    "/{uuid}/overrides",
    summary="Give an organisation's own cards this tariff at a location (new sessions)",
    **shows(OverrideView, "The override, replacing any other of theirs there."),
)
def assign_override(request: Request, uuid: UUID, body: OverrideBody) -> Response:
    with admin_call(request, "tariffs", "update") as (db, actor):
        override = service.assign(db, actor, service.get_tariff(db, actor, uuid), body)
        return json_response(service.override_view(db, override))


@router.delete(
    "/{uuid}/overrides/{organisation_uuid}/{location_uuid}",
    summary="Remove an override: the stations' default tariffs apply again (new sessions)",
    **shows(OverrideView, "The override removed."),
)
def remove_override(
    request: Request, uuid: UUID, organisation_uuid: UUID, location_uuid: UUID
) -> Response:
    with admin_call(request, "tariffs", "update") as (db, actor):
        tariff = service.get_tariff(db, actor, uuid)
        removed = service.remove(db, actor, tariff, organisation_uuid, location_uuid)
        return json_response(removed)
