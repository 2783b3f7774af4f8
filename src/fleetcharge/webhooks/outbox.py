"""Writing events: in the caller's transaction (flush only), so that an event exists if and
only if the change it tells of was committed."""

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from fleetcharge.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from fleetcharge.models.base import utcnow
from fleetcharge.webhooks.event_types import API_VERSION, EVENT_TYPES, wants


class Event(NamedTuple):
    organisation_id: int
    event_type: str
    # JSON-ready (e.g. a pydantic model's `model_dump(mode="json")`).
    data: dict[str, Any]
    occurred_at: datetime | None = None


def emit(
    db: Session,
    *,
    organisation_id: int,
    event_type: str,
    data: dict[str, Any],
    occurred_at: datetime | None = None,
) -> WebhookEvent | None:
    """Record an event for the organisation's enabled subscriptions to its type; None (and
    nothing written) when none wants it. Costs one indexed query when there is none."""
    written = emit_many(db, [Event(organisation_id, event_type, data, occurred_at)])
    return written[0] if written else None


def emit_many(db: Session, events: Sequence[Event]) -> list[WebhookEvent]:
    """`emit` for several events at once, with one query for their subscriptions; the events
    written (those some subscription wants), in order."""
    for event in events:
        if event.event_type not in EVENT_TYPES:
            raise ValueError(f"unknown webhook event type {event.event_type!r}")
    if not events:
        return []
    subscriptions = _subscriptions(db, {event.organisation_id for event in events})
    if not subscriptions:
        return []
    now = utcnow()
    written: list[tuple[WebhookEvent, list[int]]] = []
    for event in events:
        targets = [
            subscription_id
            for subscription_id, types in subscriptions.get(event.organisation_id, ())
            if wants(types, event.event_type)
        ]
        if not targets:
            continue
        row = WebhookEvent(
            uuid=uuid.uuid4(),
            type=event.event_type,
            organisation_id=event.organisation_id,
            api_version=API_VERSION,
            data=event.data,
            created_at=event.occurred_at or now,
        )
        db.add(row)
        written.append((row, targets))
    if not written:
        return []
    db.flush()
    db.execute(
        insert(WebhookDelivery),
        [
            {
                "event_id": row.id,
                "subscription_id": subscription_id,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for row, targets in written
            for subscription_id in targets
        ],
    )
    return [row for row, _ in written]


def _subscriptions(
    db: Session, organisation_ids: Iterable[int]
) -> dict[int, list[tuple[int, list[str]]]]:
    ids = list(organisation_ids)
    query = select(
        WebhookSubscription.organisation_id,
        WebhookSubscription.id,
        WebhookSubscription.event_types,
    ).where(WebhookSubscription.enabled.is_(True))
    if len(ids) == 1:
        query = query.where(WebhookSubscription.organisation_id == ids[0])
    else:
        query = query.where(WebhookSubscription.organisation_id.in_(ids))
    found: dict[int, list[tuple[int, list[str]]]] = {}
    # Only subscriptions are read: the caller's pending changes need not be flushed for it.
    with db.no_autoflush:
        for organisation_id, subscription_id, types in db.execute(
            query.order_by(WebhookSubscription.id)
        ):
            found.setdefault(organisation_id, []).append((subscription_id, types))
    return found
