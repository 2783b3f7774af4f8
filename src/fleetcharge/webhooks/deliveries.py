"""A subscription's delivery log (admin API and CLI): its deliveries, each with its
attempts, and redelivery. An organisation's member sees only its own organisation's."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.audit.service import record
from fleetcharge.errors import Conflict, InvalidParameter, NotFound
from fleetcharge.kit.cursors import Page, PageRequest, page_of
from fleetcharge.models import WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscription
from fleetcharge.models.base import utcnow
from fleetcharge.permissions import Actor
from fleetcharge.webhooks.admin_schemas import DELIVERY_STATUSES


def view(delivery: WebhookDelivery) -> dict[str, Any]:
    event = delivery.event
    return {
        "uuid": str(delivery.uuid),
        "subscription_uuid": str(delivery.subscription.uuid),
        "event": {
            "uuid": str(event.uuid),
            "type": event.type,
            "created_at": event.created_at.isoformat(),
        },
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": _time(
            delivery.next_attempt_at if delivery.status == "pending" else None
        ),
        "delivered_at": _time(delivery.delivered_at),
        "last_error": delivery.last_error,
        "created_at": delivery.created_at.isoformat(),
    }


def detail(delivery: WebhookDelivery) -> dict[str, Any]:
    """The delivery, the event's payload and its attempts, oldest first."""
    return {
        **view(delivery),
        "payload": delivery.event.data,
        "attempt_log": [_attempt(attempt) for attempt in _attempts(delivery)],
    }


def get_delivery(db: Session, actor: Actor, uuid: UUID) -> WebhookDelivery:
    actor.require("webhooks", "read")
    found = db.execute(
        select(WebhookDelivery, WebhookSubscription.organisation_id)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(WebhookDelivery.uuid == uuid)
    ).first()
    if found is None or not actor.sees(found[1]):
        raise NotFound(f"no webhook delivery {uuid}")
    return found[0]


def list_deliveries(
    db: Session,
    actor: Actor,
    subscription: WebhookSubscription,
    page: PageRequest,
    status: str | None = None,
) -> Page[WebhookDelivery]:
    """Newest first (the subscription was looked up for `actor`)."""
    actor.require("webhooks", "read")
    query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
    if status is not None:
        if status not in DELIVERY_STATUSES:
            raise InvalidParameter(
                f"status must be one of {', '.join(DELIVERY_STATUSES)}, got {status!r}",
                parameter="status",
            )
        query = query.where(WebhookDelivery.status == status)
    return page_of(db, query, WebhookDelivery.id, page, newest_first=True)


def redeliver(db: Session, actor: Actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Pending again and due now, whatever its status, retried as a new delivery would be;
    its earlier attempts stay in its log."""
    actor.require("webhooks", "redeliver")
    _refuse_disabled(delivery.subscription)
    before = view(delivery)
    delivery.status = "pending"
    delivery.next_attempt_at = utcnow()
    delivery.delivered_at = None
    # Retried as a new delivery would be: backoff and window start again (`attempt_log`
    # keeps every earlier attempt).
    delivery.attempts = 0
    delivery.first_attempt_at = None
    delivery.claimed_by = None  # a dispatcher's claim on it is void
    delivery.claimed_until = None
    db.flush()
    record(
        db,
        actor,
        "redeliver",
        "webhook_delivery",
        delivery.uuid,
        delivery.subscription.organisation_id,
        before,
        view(delivery),
    )
    return delivery


def redeliver_event(
    db: Session, actor: Actor, subscription: WebhookSubscription, event_uuid: UUID
) -> WebhookDelivery:
    """An event of the subscription's organisation sent (again) to it: its delivery made
    pending again, or a new one when it has none (it was disabled, or not subscribed to the
    type, when the event happened)."""
    actor.require("webhooks", "redeliver")
    event = db.scalar(
        select(WebhookEvent).where(
            WebhookEvent.uuid == event_uuid,
            WebhookEvent.organisation_id == subscription.organisation_id,
        )
    )
    if event is None:
        raise NotFound(f"no event {event_uuid} of this organisation", field="event_uuid")
    delivery = db.scalar(
        select(WebhookDelivery).where(
            WebhookDelivery.event_id == event.id,
            WebhookDelivery.subscription_id == subscription.id,
        )
    )
    if delivery is not None:
        return redeliver(db, actor, delivery)
    _refuse_disabled(subscription)
    delivery = WebhookDelivery(
        event=event,
        subscription=subscription,
        status="pending",
        attempts=0,
        next_attempt_at=utcnow(),
    )
    db.add(delivery)
    db.flush()
    record(
        db,
        actor,
        "redeliver",
        "webhook_delivery",
        delivery.uuid,
        subscription.organisation_id,
        None,
        view(delivery),
    )
    return delivery


def _refuse_disabled(subscription: WebhookSubscription) -> None:
    if not subscription.enabled:
        raise Conflict(f"webhook subscription {subscription.uuid} is disabled: enable it first")


def _attempts(delivery: WebhookDelivery) -> list[WebhookAttempt]:
    session = Session.object_session(delivery)
    assert session is not None
    return list(
        session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery.id)
            .order_by(WebhookAttempt.id)
        )
    )


def _attempt(attempt: WebhookAttempt) -> dict[str, Any]:
    return {
        "started_at": attempt.started_at.isoformat(),
        "status_code": attempt.status_code,
        "latency_ms": attempt.latency_ms,
        "response_excerpt": attempt.response_excerpt,
        "error": attempt.error,
    }


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
