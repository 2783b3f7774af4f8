from collections.abc import Callable
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
from fleetcharge.fleets import cards as service
from fleetcharge.fleets.admin_schemas import (
    CardAssign,
    CardCreate,
    CardUnassign,
    CardUpdate,
    CardView,
)
from fleetcharge.fleets.vehicle_records import get_vehicle
from fleetcharge.models import Card
from fleetcharge.models.vehicle import CardStatus
from fleetcharge.organisations.service import visible_organisation
from fleetcharge.permissions import Actor

router = APIRouter(prefix="/cards", tags=["Cards"])

OrganisationFilter = Annotated[UUID | None, Query(description="Only this organisation's.")]
VehicleFilter = Annotated[UUID | None, Query(description="Only this vehicle's.")]
StatusFilter = Annotated[
    str | None,
    Query(description="active or blocked.", json_schema_extra={"enum": list(CardStatus)}),
]
Search = Annotated[str | None, Query(description="Part of the id tag.")]


@router.get("", summary="List cards", **lists(CardView))
def list_cards(
    request: Request,
    cursor: Cursor = None,
    limit: Limit = None,
    organisation_uuid: OrganisationFilter = None,
    vehicle_uuid: VehicleFilter = None,
    status: StatusFilter = None,
    q: Search = None,
) -> Response:
    with admin_call(request, "cards", "read") as (db, actor):
        organisation_id = vehicle_id = None
        if organisation_uuid is not None:
            organisation_id = visible_organisation(
                db, actor, organisation_uuid, parameter="organisation_uuid"
            ).id
        if vehicle_uuid is not None:
            vehicle_id = get_vehicle(db, actor, vehicle_uuid).id
        page = service.list_cards(
            db,
            actor,
            page_request(cursor, limit),
            organisation_id=organisation_id,
            vehicle_id=vehicle_id,
            status=status,
            q=q,
        )
        return page_response(request, page, service.card_view)


@router.post("", summary="Create a card", **creates(CardView))
def create_card(request: Request, body: CardCreate) -> Response:
    def make(db: Session, actor: Actor) -> tuple[int, dict[str, Any]]:
        return 201, service.card_view(service.create_card(db, actor, body))

    return create(request, "cards", "create", body, make)


@router.get("/{uuid}", summary="Show a card", **shows(CardView))
def show_card(request: Request, uuid: UUID) -> Response:
    with admin_call(request, "cards", "read") as (db, actor):
        return object_response(service.card_view(service.get_card(db, actor, uuid)))


def _changed(
    request: Request,
    uuid: UUID,
    action: str,
    change: Callable[[Session, Actor, Card, int | None], Card],
) -> Response:
    version = expected_version(request)
    with admin_call(request, "cards", action) as (db, actor):
        card = service.get_card(db, actor, uuid)
        return object_response(service.card_view(change(db, actor, card, version)))


@router.patch("/{uuid}", summary="Change a card's expiry (If-Match)", **changes(CardView))
def update_card(request: Request, uuid: UUID, body: CardUpdate) -> Response:
    return _changed(
        request, uuid, "update", lambda db, a, card, v: service.update_card(db, a, card, body, v)
    )


@router.post(
    "/{uuid}/assign",
    summary="Assign a card to a vehicle, for sessions starting from `from` (If-Match)",
    **changes(CardView),
)
def assign_card(request: Request, uuid: UUID, body: CardAssign) -> Response:
    return _changed(
        request, uuid, "update", lambda db, a, card, v: service.assign_card(db, a, card, body, v)
    )


@router.post(
    "/{uuid}/unassign",
    summary="Take a card off its vehicle, for sessions starting from `from` (If-Match)",
    **changes(CardView),
)
def unassign_card(request: Request, uuid: UUID, body: CardUnassign | None = None) -> Response:
    data = body or CardUnassign()
    return _changed(
        request, uuid, "update", lambda db, a, card, v: service.unassign_card(db, a, card, data, v)
    )


@router.post(
    "/{uuid}/block",
    summary="Block a card: refused (Blocked) from its next Authorize or start (If-Match)",
    **changes(CardView),
)
def block_card(request: Request, uuid: UUID) -> Response:
    return _changed(
        request, uuid, "block", lambda db, a, card, v: service.set_blocked(db, a, card, True, v)
    )


@router.post("/{uuid}/unblock", summary="Unblock a card (If-Match)", **changes(CardView))
def unblock_card(request: Request, uuid: UUID) -> Response:
    return _changed(
        request, uuid, "block", lambda db, a, card, v: service.set_blocked(db, a, card, False, v)
    )
