"""Copies of a subscription's events for `fleetcharge webhooks listen`: each delivery made
for it, as its receiver gets it (same body, signed with its current secret), to forward to
a local URL while a receiver is being developed. Delivery itself is not touched."""

import time
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fleetcharge.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from fleetcharge.webhooks.payloads import body, envelope
from fleetcharge.webhooks.service import current_secret
from fleetcharge.webhooks.signing import HEADER, sign


@dataclass(frozen=True)
class Copy:
    delivery_id: int
    event_uuid: str
    event_type: str
    body: bytes
    headers: dict[str, str]


def last_delivery_id(db: Session, subscription: WebhookSubscription) -> int:
    """Where a listener starting now begins: after the subscription's latest delivery."""
    latest = db.scalar(
        select(func.max(WebhookDelivery.id)).where(
            WebhookDelivery.subscription_id == subscription.id
        )
    )
    return latest or 0


def copies(
    db: Session, subscription: WebhookSubscription, after: int, limit: int = 100
) -> list[Copy]:
    """The subscription's deliveries made after delivery `after`, oldest first, each as a
    signed request."""
    rows = db.execute(
        select(WebhookDelivery.id, WebhookEvent)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.subscription_id == subscription.id, WebhookDelivery.id > after)
        .order_by(WebhookDelivery.id)
        .limit(limit)
    ).all()
    secret = current_secret(subscription)
    found = []
    for delivery_id, event in rows:
        content = body(
            envelope(
                event_id=str(event.uuid),
                event_type=event.type,
                created_at=event.created_at,
                api_version=event.api_version,
                data=event.data,
            )
        )
        headers = {  # as the dispatcher sends them
            "Content-Type": "application/json",
            HEADER: sign(content, [secret], int(time.time())),
            "Fleetcharge-Event-Id": str(event.uuid),
            "Fleetcharge-Event-Type": event.type,
        }
        found.append(Copy(delivery_id, str(event.uuid), event.type, content, headers))
    return found
