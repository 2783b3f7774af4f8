"""Writing events to the outbox only for organisations that want them: each domain's
`events.py` plans (organisation, type, payload builder) triples and `emit_planned` builds
and writes those some enabled subscription asks for, in the caller's transaction (flush
only). When nobody subscribes an emitter costs the one indexed query that finds that out.
The events of stations and cards, whose payloads need no domain's projection, are here.
"""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.models import (
    Card,
    Connector,
    ConnectorStatus,
    Location,
    Station,
    WebhookSubscription,
)
from fleetcharge.webhooks import event_data, event_types
from fleetcharge.webhooks.outbox import Event, emit_many

Build = Callable[[], dict[str, Any] | list[dict[str, Any]]]
# (organisation, event type, what builds its data: one dict, or a list of dicts for as
# many events)
Planned = tuple[int, str, Build]


def wanted(db: Session, organisation_ids: Iterable[int]) -> dict[int, list[list[str]]]:
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


def wants(subscribed: dict[int, list[list[str]]], organisation_id: int, event_type: str) -> bool:
    return any(
        event_types.wants(types, event_type) for types in subscribed.get(organisation_id, ())
    )


def emit_planned(db: Session, planned: list[Planned], occurred_at: datetime | None = None) -> None:
    """Build and write the planned (organisation, type, payload) events some subscription
    wants: one query finds which, and a payload nobody wants is never built."""
    if not planned:
        return
    subscribed = wanted(db, (organisation_id for organisation_id, _, _ in planned))
    events = [
        Event(organisation_id, event_type, data, occurred_at)
        for organisation_id, event_type, build in planned
        if wants(subscribed, organisation_id, event_type)
        for data in _as_list(build())
    ]
    if events:
        emit_many(db, events)


def _as_list(data: dict[str, Any] | list[dict[str, Any]]) -> list[dict[str, Any]]:
    return data if isinstance(data, list) else [data]


def card_blocked(db: Session, card: Card, organisation_id: int | None) -> None:
    """To the card's organisation (a network card no organisation manages: nobody)."""
    if organisation_id is None:
        return
    at = datetime.now(UTC)
    build = partial(event_data.card_blocked, card, at)
    emit_planned(db, [(organisation_id, event_types.CARD_BLOCKED, build)], occurred_at=at)


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
