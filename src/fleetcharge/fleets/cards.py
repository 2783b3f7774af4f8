"""Creating, assigning, blocking and finding RFID cards (flush only; the caller commits).

A card is its vehicle's organisation's; unassigned it stays that organisation's (its own
`organisation_id`), so an organisation's member still finds it and no one else does. A
blocked or expired card is refused by the central system from its next Authorize or
StartTransaction: `csms.service.card_status` reads the card as stored.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from fleetcharge.audit.service import record
from fleetcharge.errors import Conflict, InvalidField, InvalidParameter
from fleetcharge.fleets import events
from fleetcharge.fleets.admin_schemas import CardAssign, CardCreate, CardUnassign, CardUpdate
from fleetcharge.fleets.card_history import reassign
from fleetcharge.fleets.vehicle_records import get_vehicle
from fleetcharge.kit import fields
from fleetcharge.kit.cursors import Page, PageRequest, page_of
from fleetcharge.kit.versions import claim_version
from fleetcharge.lookup import visible_by_uuid
from fleetcharge.models import Card, Vehicle
from fleetcharge.models.vehicle import CardStatus
from fleetcharge.organisations.service import visible_organisation
from fleetcharge.permissions import Actor
from fleetcharge.webhooks import emitters, event_types


def card_view(card: Card) -> dict[str, Any]:
    vehicle = card.vehicle
    organisation = card.organisation
    return {
        "uuid": str(card.uuid),
        "id_tag": card.id_tag,
        "status": card.status,
        "expired": card.expires_at is not None and card.expires_at <= datetime.now(UTC),
        "expires_at": card.expires_at.isoformat() if card.expires_at else None,
        "vehicle": {"uuid": str(vehicle.uuid), "vin": vehicle.vin} if vehicle else None,
        "organisation": (
            {"uuid": str(organisation.uuid), "name": organisation.name} if organisation else None
        ),
        "created_at": card.created_at.isoformat(),
        "version": card.version,
    }


def _organisation_id(card: Card) -> int | None:
    if card.organisation_id is not None:
        return card.organisation_id
    return card.vehicle.organisation_id if card.vehicle is not None else None


def get_card(db: Session, actor: Actor, uuid: UUID) -> Card:
    actor.require("cards", "read")
    return visible_by_uuid(db, actor, Card, uuid, "card", _organisation_id)


def list_cards(
    db: Session,
    actor: Actor,
    page: PageRequest,
    *,
    organisation_id: int | None = None,
    vehicle_id: int | None = None,
    status: str | None = None,
    q: str | None = None,
) -> Page[Card]:
    actor.require("cards", "read")
    query = select(Card).options(selectinload(Card.vehicle))
    for organisation in (actor.organisation_id, organisation_id):
        if organisation is not None:
            query = query.where(Card.organisation_id == organisation)
    if vehicle_id is not None:
        query = query.where(Card.vehicle_id == vehicle_id)
    if status is not None:
        if status not in tuple(CardStatus):
            raise InvalidParameter(
                f"status must be one of {', '.join(CardStatus)}, got {status!r}",
                parameter="status",
            )
        query = query.where(Card.status == status)
    if q and q.strip():
        query = query.where(Card.id_tag.ilike(f"%{q.strip()}%"))
    return page_of(db, query, Card.id, page)


def create_card(db: Session, actor: Actor, data: CardCreate) -> Card:
    actor.require("cards", "create")
    id_tag = fields.id_tag(data.id_tag)
    vehicle = None
    if data.vehicle_uuid is not None:
        vehicle = _assignable(db, actor, data.vehicle_uuid)
    organisation_id = _owner(db, actor, data.organisation_uuid, vehicle)
    if db.scalar(select(Card.id).where(Card.id_tag == id_tag)) is not None:
        raise Conflict(f"a card already has id_tag {id_tag!r}", field="id_tag")
    card = Card(
        id_tag=id_tag,
        status=CardStatus.ACTIVE,
        expires_at=data.expires_at and fields.moment(data.expires_at, "expires_at"),
        organisation_id=organisation_id,
    )
    db.add(card)
    try:
        db.flush()
    except IntegrityError:
        raise Conflict(f"a card already has id_tag {id_tag!r}", field="id_tag") from None
    if vehicle is not None:
        reassign(db, card, vehicle, datetime.now(UTC), new=True)
    db.flush()
    db.refresh(card)
    record(db, actor, "create", "card", card.uuid, card.organisation_id, None, card_view(card))
    _announce(db, card, None, CardStatus.ACTIVE)
    return card


def update_card(
    db: Session, actor: Actor, card: Card, data: CardUpdate, expected: int | None = None
) -> Card:
    """Its expiry (null: never); an expired card is answered Expired from then on."""
    return _change(db, actor, card, "update", expected, lambda: _set_expiry(card, data.expires_at))


def expire_card(db: Session, actor: Actor, card: Card, expected: int | None = None) -> Card:
    now = datetime.now(UTC)
    return _change(db, actor, card, "update", expected, lambda: _set_expiry(card, now))


def assign_card(
    db: Session, actor: Actor, card: Card, data: CardAssign, expected: int | None = None
) -> Card:
    """The vehicle's for sessions starting from `data.from_` (default now) on."""
    vehicle = _assignable(db, actor, data.vehicle_uuid)
    starts = fields.moment(data.from_, "from") if data.from_ else datetime.now(UTC)
    return _change(db, actor, card, "assign", expected, lambda: reassign(db, card, vehicle, starts))


def unassign_card(
    db: Session, actor: Actor, card: Card, data: CardUnassign, expected: int | None = None
) -> Card:
    starts = fields.moment(data.from_, "from") if data.from_ else datetime.now(UTC)
    return _change(db, actor, card, "unassign", expected, lambda: reassign(db, card, None, starts))


def set_blocked(
    db: Session, actor: Actor, card: Card, blocked: bool, expected: int | None = None
) -> Card:
    """Blocked cards are answered Blocked from their next Authorize or StartTransaction."""

    def apply() -> None:
        card.status = CardStatus.BLOCKED if blocked else CardStatus.ACTIVE

    action = "block" if blocked else "unblock"
    return _change(db, actor, card, action, expected, apply, permission="block")


def _change(
    db: Session,
    actor: Actor,
    card: Card,
    action: str,
    expected: int | None,
    apply: Callable[[], None],
    permission: str = "update",
) -> Card:
    """One change of a card, audited as `action`, for an actor allowed `cards.permission`."""
    actor.require("cards", permission)
    actor.visible_to(_organisation_id(card), "card", card.uuid)
    claim_version(db, card, expected)
    before = card_view(card)
    shown_before, status_before = _on_vehicle(card), card.status
    apply()
    db.flush()
    db.refresh(card)
    record(db, actor, action, "card", card.uuid, card.organisation_id, before, card_view(card))
    _announce(db, card, shown_before, status_before)
    return card


def _on_vehicle(card: Card) -> tuple[int, int] | None:
    """(vehicle id, organisation id) of the vehicle whose cards /vehicles shows this card
    among (only active cards are shown)."""
    if card.vehicle is None or card.status != CardStatus.ACTIVE:
        return None
    return card.vehicle.id, card.vehicle.organisation_id


def _announce(db: Session, card: Card, before: tuple[int, int] | None, status: str) -> None:
    """card.blocked, and vehicle.updated for each vehicle whose active cards changed."""
    if status != CardStatus.BLOCKED and card.status == CardStatus.BLOCKED:
        emitters.card_blocked(db, card, _organisation_id(card))
    after = _on_vehicle(card)
    if before != after:
        for shown in (before, after):
            if shown is not None:
                vehicle_id, organisation_id = shown
                events.vehicle_changed(db, organisation_id, vehicle_id, event_types.VEHICLE_UPDATED)


def _set_expiry(card: Card, expires_at: datetime | None) -> None:
    card.expires_at = fields.moment(expires_at, "expires_at") if expires_at else None


def _assignable(db: Session, actor: Actor, uuid: UUID) -> Vehicle:
    vehicle = get_vehicle(db, actor, uuid, field="vehicle_uuid")
    if vehicle.effective_to is not None and vehicle.effective_to < datetime.now(UTC).date():
        raise InvalidField(f"vehicle {uuid} is retired", field="vehicle_uuid")
    return vehicle


def _owner(db: Session, actor: Actor, uuid: UUID | None, vehicle: Vehicle | None) -> int | None:
    """The id of the organisation a new card is for (None: the network's)."""
    if uuid is None:
        return vehicle.organisation_id if vehicle is not None else actor.organisation_id
    organisation = visible_organisation(db, actor, uuid, field="organisation_uuid")
    if vehicle is not None and vehicle.organisation_id != organisation.id:
        raise InvalidField(
            "vehicle_uuid is a vehicle of another organisation than organisation_uuid",
            field="vehicle_uuid",
        )
    return organisation.id
