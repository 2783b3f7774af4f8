"""What the domain code calls where a change happens: each builds its event's payload and
writes it to the outbox (`webhooks.outbox`) in the caller's transaction (flush only).

A payload is built only for an organisation with an enabled subscription wanting its type:
when nobody subscribes an emitter costs the one indexed query that finds that out.
"""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.models import (
    Card,
    ChargeSession,
    Connector,
    ConnectorStatus,
    Invoice,
    Location,
    Station,
    Vehicle,
    WebhookSubscription,
)
from fleetcharge.settings import get_settings
from fleetcharge.webhooks import event_data, event_types
from fleetcharge.webhooks.outbox import Event, emit_many

Build = Callable[[], dict[str, Any] | list[dict[str, Any]]]


def _wanted(db: Session, organisation_ids: Iterable[int]) -> dict[int, list[list[str]]]:
    """The event types each organisation's enabled subscriptions ask for."""
    ids = sorted(set(organisation_ids))
    query = select(WebhookSubscription.organisation_id, WebhookSubscription.event_types).where(
        WebhookSubscription.enabled.is_(True),
        WebhookSubscription.organisation_id.in_(ids)
        if len(ids) > 1
        else WebhookSubscription.organisation_id == ids[0],
    )
    found: dict[int, list[list[str]]] = {}
    with db.no_autoflush:
        for organisation_id, types in db.execute(query):
            found.setdefault(organisation_id, []).append(types)
    return found


def _wants(wanted: dict[int, list[list[str]]], organisation_id: int, event_type: str) -> bool:
    return any(event_types.wants(types, event_type) for types in wanted.get(organisation_id, ()))


def _emit(
    db: Session, planned: list[tuple[int, str, Build]], occurred_at: datetime | None = None
) -> None:
    """Build and write the planned (organisation, type, payload) events some subscription
    wants: one query finds which, and a payload nobody wants is never built."""
    if not planned:
        return
    wanted = _wanted(db, (organisation_id for organisation_id, _, _ in planned))
    events = [
        Event(organisation_id, event_type, data, occurred_at)
        for organisation_id, event_type, build in planned
        if _wants(wanted, organisation_id, event_type)
        for data in _as_list(build())
    ]
    if events:
        emit_many(db, events)


def _as_list(data: dict[str, Any] | list[dict[str, Any]]) -> list[dict[str, Any]]:
    return data if isinstance(data, list) else [data]


def session_completed(db: Session, session: ChargeSession) -> None:
    """To the payer as its /usage shows the session, to the host as its /sessions does."""
    operator_name = get_settings().operator_name
    _emit(
        db,
        [
            (
                organisation_id,
                event_types.SESSION_COMPLETED,
                partial(event_data.session_completed, db, session, view, operator_name),
            )
            for organisation_id, view in event_data.session_views(session)
        ],
        occurred_at=session.stop_date_time,
    )


def invoices_approved(db: Session, invoices: list[Invoice]) -> None:
    """invoice.approved, then session.invoiced, for each document (one query when none of
    their organisations subscribes)."""
    planned: list[tuple[int, str, Build]] = []
    for document in invoices:
        planned.append(
            (
                document.organisation_id,
                event_types.INVOICE_APPROVED,
                partial(event_data.invoice, db, document),
            )
        )
        if document.links_invoice_id is not None:
            planned.append(
                (
                    document.organisation_id,
                    event_types.SESSION_INVOICED,
                    partial(event_data.invoiced_sessions, db, document),
                )
            )
    _emit(db, planned)


def invoice_changed(db: Session, document: Invoice, event_type: str) -> None:
    """invoice.paid or invoice.voided."""
    _emit(db, [(document.organisation_id, event_type, partial(event_data.invoice, db, document))])


def vehicle_changed(db: Session, organisation_id: int, vehicle_id: int, event_type: str) -> None:
    """vehicle.created, vehicle.updated or vehicle.retired."""
    _emit(db, [(organisation_id, event_type, partial(event_data.vehicle, db, vehicle_id))])


def vehicles_changed(db: Session, changes: list[tuple[int, str]]) -> None:
    """Many vehicles' events at once (an import), each to the vehicle's organisation."""
    if not changes:
        return
    ids = sorted({vehicle_id for vehicle_id, _ in changes})
    query = select(Vehicle.id, Vehicle.organisation_id).where(Vehicle.id.in_(ids))
    owners: dict[int, int] = {row.id: row.organisation_id for row in db.execute(query)}
    wanted = _wanted(db, owners.values())
    changes = [
        (vehicle_id, event_type)
        for vehicle_id, event_type in changes
        if _wants(wanted, owners[vehicle_id], event_type)
    ]
    documents = event_data.vehicle_documents(db, [vehicle_id for vehicle_id, _ in changes])
    events = [
        Event(owners[vehicle_id], event_type, {"vehicle": documents[vehicle_id]})
        for vehicle_id, event_type in changes
    ]
    if events:
        emit_many(db, events)


def card_blocked(db: Session, card: Card, organisation_id: int | None) -> None:
    """To the card's organisation (a network card no organisation manages: nobody)."""
    if organisation_id is None:
        return
    at = datetime.now(UTC)
    build = partial(event_data.card_blocked, card, at)
    _emit(db, [(organisation_id, event_types.CARD_BLOCKED, build)], occurred_at=at)


def _host_wants(db: Session, station_id: int, event_type: str) -> int | None:
    """The station's site host if one of its subscriptions wants `event_type`: one query
    (the host and its subscriptions together), however the station moved."""
    query = (
        select(WebhookSubscription.organisation_id, WebhookSubscription.event_types)
        .join(Location, Location.host_organisation_id == WebhookSubscription.organisation_id)
        .join(Station, Station.location_id == Location.id)
        .where(Station.id == station_id, WebhookSubscription.enabled.is_(True))
    )
    with db.no_autoflush:
        for organisation_id, types in db.execute(query):
            if event_types.wants(types, event_type):
                return int(organisation_id)
    return None


def station_status(db: Session, status: ConnectorStatus) -> None:
    """station.status_changed, for a StatusNotification just stored."""
    host = _host_wants(db, status.station_id, event_types.STATION_STATUS_CHANGED)
    if host is None:
        return
    station = db.get_one(Station, status.station_id)
    connector = None
    if status.connector_number > 0:
        connector = db.scalars(
            select(Connector).where(
                Connector.station_id == station.id,
                Connector.connector_id == status.connector_number,
            )
        ).first()
    data = event_data.station_status(station, status, connector)
    emit_many(db, [Event(host, event_types.STATION_STATUS_CHANGED, data, status.received_at)])


def station_presence(db: Session, station_id: int, online: bool, at: datetime) -> None:
    """station.online or station.offline."""
    event_type = event_types.STATION_ONLINE if online else event_types.STATION_OFFLINE
    host = _host_wants(db, station_id, event_type)
    if host is None:
        return
    data = event_data.station_presence(db.get_one(Station, station_id), at)
    emit_many(db, [Event(host, event_type, data, at)])
