from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from fleetcharge.admin.calls import Cursor, Limit, page_request
from fleetcharge.admin.documents import changes, creates, lists, shows
from fleetcharge.admin.resources import Resource, organisation_filter
from fleetcharge.fleets import cards as service
from fleetcharge.fleets.admin_schemas import (
    CardAssign,
    CardCreate,
    CardUnassign,
    CardUpdate,
    CardView,
)
from fleetcharge.fleets.vehicle_records import get_vehicle
from fleetcharge.kit.cursors import Page
from fleetcharge.models import Card
from fleetcharge.models.vehicle import CardStatus
from fleetcharge.permissions import Actor

router = APIRouter(prefix="/cards", tags=["Cards"])
CARDS = Resource("cards", service.get_card, service.card_view)

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
    def fetch(db: Session, actor: Actor) -> Page[Card]:
        organisation_id = organisation_filter(db, actor, organisation_uuid)
        vehicle_id = None if vehicle_uuid is None else get_vehicle(db, actor, vehicle_uuid).id
        return service.list_cards(
            db,
            actor,
            page_request(cursor, limit),
            organisation_id=organisation_id,
            vehicle_id=vehicle_id,
            status=status,
            q=q,
        )

    return CARDS.page(request, fetch)


@router.post("", summary="Create a card", **creates(CardView))
def create_card(request: Request, body: CardCreate) -> Response:
    return CARDS.create(request, body, lambda db, actor: service.create_card(db, actor, body))


@router.get("/{uuid}", summary="Show a card", **shows(CardView))
def show_card(request: Request, uuid: UUID) -> Response:
    return CARDS.show(request, uuid)


@router.patch("/{uuid}", summary="Change a card's expiry (If-Match)", **changes(CardView))
def update_card(request: Request, uuid: UUID, body: CardUpdate) -> Response:
    return CARDS.change(
        request, uuid, lambda db, a, card, v: service.update_card(db, a, card, body, v)
    )


@router.post(
    "/{uuid}/assign",
    summary="Assign a card to a vehicle, for sessions starting from `from` (If-Match)",
    **changes(CardView),
)
def assign_card(request: Request, uuid: UUID, body: CardAssign) -> Response:
    return CARDS.change(
        request, uuid, lambda db, a, card, v: service.assign_card(db, a, card, body, v)
    )


@router.post(
    "/{uuid}/unassign",
    summary="Take a card off its vehicle, for sessions starting from `from` (If-Match)",
    **changes(CardView),
)
def unassign_card(request: Request, uuid: UUID, body: CardUnassign | None = None) -> Response:
    data = body or CardUnassign()
    return CARDS.change(
        request, uuid, lambda db, a, card, v: service.unassign_card(db, a, card, data, v)
    )


@router.post(
    "/{uuid}/block",
    summary="Block a card: refused (Blocked) from its next Authorize or start (If-Match)",
    **changes(CardView),
)
def block_card(request: Request, uuid: UUID) -> Response:
    return CARDS.change(
        request, uuid, lambda db, a, card, v: service.set_blocked(db, a, card, True, v), "block"
    )


@router.post("/{uuid}/unblock", summary="Unblock a card (If-Match)", **changes(CardView))
def unblock_card(request: Request, uuid: UUID) -> Response:
    return CARDS.change(
        request, uuid, lambda db, a, card, v: service.set_blocked(db, a, card, False, v), "block"
    )
