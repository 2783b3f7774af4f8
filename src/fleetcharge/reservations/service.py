"""Recording reservations: made (before ReserveNow is sent, for its reservationId), the
station's answers, cancelled, and used by the StartTransaction naming them (flush only).

A reservation is `reserved` until its expiry; past it, it is `expired` (derived when read,
never swept: a station holds its own reservations and expires them itself). Once ended (used,
cancelled, expired) it has a price: the reservation elements (OCPI 2.2.1) of the tariff that
applies to its card at its station, from when it was made to when it ended.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from fleetcharge.audit.service import record
from fleetcharge.errors import Conflict, InvalidField, InvalidParameter, NotFound
from fleetcharge.kit.cursors import Page, PageRequest, page_of
from fleetcharge.models import Card, Connector, OcppTransaction, Reservation, Station
from fleetcharge.models.ocpp import Flag
from fleetcharge.models.reservation import ReservationStatus
from fleetcharge.models.vehicle import CardStatus
from fleetcharge.permissions import Actor
from fleetcharge.pricing.reservations import ReservationEnd, price_reservation
from fleetcharge.tariffs.repository import applicable_tariff

ACCEPTED = "Accepted"
LISTED_STATUSES = ("requested", "reserved", "used", "cancelled", "expired", "refused")
PRICED: dict[str, ReservationEnd] = {
    ReservationStatus.USED: "USED",
    ReservationStatus.CANCELLED: "CANCELLED",
    ReservationStatus.EXPIRED: "EXPIRED",
}


def station_of(db: Session, identity: str) -> Station:
    station = db.scalar(select(Station).where(Station.ocpp_identity == identity))
    if station is None:
        raise NotFound(f"no charge station {identity!r}")
    return station


def valid_card(db: Session, id_tag: str, at: datetime) -> Card:
    """The card of `id_tag` if it may charge at `at` (else a 400 naming idTag)."""
    card = db.scalar(select(Card).where(Card.id_tag == id_tag))
    if card is None:
        raise InvalidField(f"idTag {id_tag!r} is no card of ours", field="idTag")
    if card.status == CardStatus.BLOCKED:
        raise InvalidField(f"card {id_tag!r} is blocked", field="idTag")
    if card.expires_at is not None and card.expires_at <= at:
        raise InvalidField(f"card {id_tag!r} has expired", field="idTag")
    return card


def create(
    db: Session,
    actor: Actor,
    identity: str,
    *,
    connector: int,
    id_tag: str,
    parent_id_tag: str | None,
    expires_at: datetime,
    at: datetime,
) -> Reservation:
    """A reservation about to be sent (status `requested`): its id is the reservationId."""
    actor.require("stations", "command")
    station = station_of(db, identity)
    if expires_at <= at:
        raise InvalidField("expiryDate must be in the future", field="expiryDate")
    if connector > 0 and not _has_connector(db, station.id, connector):
        raise InvalidField(
            f"charge station {identity!r} has no connector {connector}", field="connectorId"
        )
    card = valid_card(db, id_tag, at)
    reservation = Reservation(
        station_id=station.id,
        connector_number=connector,
        card_id=card.id,
        id_tag=id_tag,
        parent_id_tag=parent_id_tag,
        expires_at=expires_at,
        status=ReservationStatus.REQUESTED,
        created_at=at,
    )
    db.add(reservation)
    db.flush()
    record(
        db, actor, "create", "reservation", reservation.uuid, None, None, view(db, reservation, at)
    )
    return reservation


def _has_connector(db: Session, station_id: int, number: int) -> bool:
    found = db.scalar(
        select(Connector.id).where(
            Connector.station_id == station_id, Connector.connector_id == number
        )
    )
    return found is not None


def record_reserve_answer(db: Session, reservation_id: int, answer: str) -> Reservation:
    """The station's answer to ReserveNow (or why there was none)."""
    reservation = db.get(Reservation, reservation_id)
    assert reservation is not None
    reservation.station_answer = answer
    reservation.status = (
        ReservationStatus.RESERVED if answer == ACCEPTED else ReservationStatus.REFUSED
    )
    db.flush()
    return reservation


def cancellable(db: Session, identity: str, reservation_id: int, at: datetime) -> Reservation:
    reservation = get(db, identity, reservation_id)
    status = status_at(reservation, at)
    if status != ReservationStatus.RESERVED:
        raise Conflict(f"reservation {reservation_id} is {status}, not reserved")
    return reservation


def record_cancel_answer(
    db: Session, actor: Actor, reservation_id: int, answer: str, at: datetime
) -> Reservation:
    """The station's answer to CancelReservation: Accepted cancels it."""
    reservation = db.get(Reservation, reservation_id)
    assert reservation is not None
    before = view(db, reservation, at)
    reservation.cancel_answer = answer
    if answer == ACCEPTED and reservation.status == ReservationStatus.RESERVED:
        reservation.status = ReservationStatus.CANCELLED
        reservation.ended_at = at
    db.flush()
    record(
        db,
        actor,
        "cancel",
        "reservation",
        reservation.uuid,
        None,
        before,
        view(db, reservation, at),
    )
    return reservation


def use(db: Session, tx: OcppTransaction) -> None:
    """A StartTransaction naming a reservationId: the reservation it uses, if it is one of
    this station's in force for the same card and connector; else the transaction is
    flagged (it is recorded all the same: OCPP lets the station decide)."""
    if tx.reservation_id is None:
        return
    reservation = db.get(Reservation, tx.reservation_id)
    connector = db.get(Connector, tx.connector_id)
    matches = (
        reservation is not None
        and connector is not None
        and reservation.station_id == tx.station_id
        and reservation.status == ReservationStatus.RESERVED
        and reservation.id_tag == tx.id_tag
        and reservation.connector_number in (0, connector.connector_id)
        and tx.started_at <= reservation.expires_at
    )
    if not matches:
        tx.flags = sorted({*tx.flags, Flag.RESERVATION_NOT_MATCHED})
        return
    assert reservation is not None
    reservation.status = ReservationStatus.USED
    reservation.transaction_id = tx.id
    reservation.ended_at = tx.started_at


def get(db: Session, identity: str, reservation_id: int) -> Reservation:
    station = station_of(db, identity)
    reservation = db.get(Reservation, reservation_id)
    if reservation is None or reservation.station_id != station.id:
        raise NotFound(f"charge station {identity!r} has no reservation {reservation_id}")
    return reservation


def status_at(reservation: Reservation, at: datetime) -> str:
    if reservation.status == ReservationStatus.RESERVED and reservation.expires_at <= at:
        return ReservationStatus.EXPIRED
    return reservation.status


def list_reservations(
    db: Session, identity: str, page: PageRequest, at: datetime, status: str | None = None
) -> Page[Reservation]:
    station = station_of(db, identity)
    query = select(Reservation).where(Reservation.station_id == station.id)
    if status is not None:
        if status not in LISTED_STATUSES:
            raise InvalidParameter(
                f"status must be one of {', '.join(LISTED_STATUSES)}, got {status!r}",
                parameter="status",
            )
        in_force = and_(
            Reservation.status == ReservationStatus.RESERVED, Reservation.expires_at > at
        )
        if status == ReservationStatus.RESERVED:
            query = query.where(in_force)
        elif status == ReservationStatus.EXPIRED:
            query = query.where(
                or_(
                    Reservation.status == ReservationStatus.EXPIRED,
                    and_(
                        Reservation.status == ReservationStatus.RESERVED,
                        Reservation.expires_at <= at,
                    ),
                )
            )
        else:
            query = query.where(Reservation.status == status)
    return page_of(db, query, Reservation.id, page, newest_first=True)


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def price(db: Session, reservation: Reservation, at: datetime) -> dict[str, str] | None:
    """What the reservation costs (GST-inclusive, as invoices show it); None until it ends,
    and for one the station never held."""
    status = status_at(reservation, at)
    outcome = PRICED.get(status)
    if outcome is None:
        return None
    station = db.get(Station, reservation.station_id)
    assert station is not None
    card = db.get(Card, reservation.card_id) if reservation.card_id is not None else None
    payer = card.organisation_id if card is not None else None
    tariff = applicable_tariff(db, station, payer, reservation.created_at).spec
    ended = max(_ended_at(reservation, status) or at, reservation.created_at)
    timezone = station.location.timezone
    priced = price_reservation(tariff, reservation.created_at, ended, outcome, timezone)
    return {"amount": str(priced.amount), "gst": str(priced.gst), "currency": priced.currency}


def _ended_at(reservation: Reservation, status: str) -> datetime | None:
    if status == ReservationStatus.EXPIRED and reservation.ended_at is None:
        return reservation.expires_at
    return reservation.ended_at


def view(db: Session, reservation: Reservation, at: datetime) -> dict[str, Any]:
    status = status_at(reservation, at)
    ended = _ended_at(reservation, status)
    return {
        "reservation_id": reservation.id,
        "uuid": str(reservation.uuid),
        "connector_id": reservation.connector_number,
        "id_tag": reservation.id_tag,
        "parent_id_tag": reservation.parent_id_tag,
        "status": str(status),
        "station_answer": reservation.station_answer,
        "cancel_answer": reservation.cancel_answer,
        "created_at": _time(reservation.created_at),
        "expires_at": _time(reservation.expires_at),
        "ended_at": _time(ended),
        "transaction_id": reservation.transaction_id,
        "price": price(db, reservation, at),
    }
