"""Subscriptions: creating them (the signing secret shown once), their secrets, rotating
and disabling them."""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from fleetcharge.errors import InvalidField
from fleetcharge.models import Organisation, WebhookDelivery, WebhookSubscription
from fleetcharge.models.base import utcnow
from fleetcharge.settings import get_settings
from fleetcharge.webhooks import event_types as types
from fleetcharge.webhooks.outbox import emit
from fleetcharge.webhooks.payloads import timestamp
from fleetcharge.webhooks.sealing import seal, unseal
from fleetcharge.webhooks.targets import resolve_target

SECRET_PREFIX = "whsec_"
MAX_EVENT_TYPES = len(types.EVENT_TYPES) + 1


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def check_event_types(event_types: list[str], *, field: str = "event_types") -> list[str]:
    """The event types, deduplicated in their order; InvalidField naming the bad one."""
    if not event_types:
        raise InvalidField(f"{field} must name at least one event type (or '*')", field=field)
    if len(event_types) > MAX_EVENT_TYPES:
        raise InvalidField(f"{field} names more than {MAX_EVENT_TYPES} types", field=field)
    for index, name in enumerate(event_types):
        if name != types.ALL and name not in types.EVENT_TYPES:
            raise InvalidField(
                f"{field}[{index}]: unknown event type {name!r}; one of "
                + ", ".join((types.ALL, *types.EVENT_TYPES)),
                field=f"{field}[{index}]",
            )
    return list(dict.fromkeys(event_types))


def create_subscription(
    db: Session,
    *,
    organisation: Organisation,
    url: str,
    event_types: list[str],
    description: str | None = None,
) -> tuple[WebhookSubscription, str]:
    """A new enabled subscription and its signing secret, which is never shown again."""
    resolve_target(url, field="url")
    secret = new_secret()
    subscription = WebhookSubscription(
        organisation_id=organisation.id,
        url=url,
        description=description,
        event_types=check_event_types(event_types),
        secret_sealed=seal(secret),
        enabled=True,
    )
    db.add(subscription)
    db.flush()
    return subscription, secret


def current_secret(subscription: WebhookSubscription) -> str:
    return unseal(subscription.secret_sealed)


def previous_secret(subscription: WebhookSubscription, now: datetime | None = None) -> str | None:
    """The secret replaced by the last rotation while it still signs, else None."""
    expires = subscription.previous_secret_expires_at
    if subscription.previous_secret_sealed is None or expires is None:
        return None
    if expires <= (now or utcnow()):
        return None
    return unseal(subscription.previous_secret_sealed)


def signing_secrets(subscription: WebhookSubscription, now: datetime | None = None) -> list[str]:
    """The secrets a delivery is signed with: the current one, and the previous one during
    a rotation's overlap."""
    previous = previous_secret(subscription, now)
    return [current_secret(subscription)] + ([previous] if previous else [])


def rotate_secret(
    db: Session,
    subscription: WebhookSubscription,
    *,
    overlap: timedelta | None = None,
    now: datetime | None = None,
) -> str:
    """A new signing secret (returned, shown once); the old one keeps signing beside it for
    `overlap` (default webhooks_rotation_overlap_hours)."""
    now = now or utcnow()
    if overlap is None:
        overlap = timedelta(hours=get_settings().webhooks_rotation_overlap_hours)
    secret = new_secret()
    if overlap > timedelta(0):
        subscription.previous_secret_sealed = subscription.secret_sealed
        subscription.previous_secret_expires_at = now + overlap
    else:
        subscription.previous_secret_sealed = None
        subscription.previous_secret_expires_at = None
    subscription.secret_sealed = seal(secret)
    db.flush()
    return secret


def disable_subscription(
    db: Session,
    subscription: WebhookSubscription,
    *,
    reason: str,
    now: datetime | None = None,
    notify: bool = False,
) -> None:
    """Disable: its pending deliveries are failed (they can be redelivered). With `notify`,
    the organisation's other subscriptions are told (SUBSCRIPTION_DISABLED)."""
    now = now or utcnow()
    subscription.enabled = False
    subscription.disabled_at = now
    subscription.disabled_reason = reason[:200]
    db.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.subscription_id == subscription.id,
            WebhookDelivery.status == "pending",
        )
        .values(
            status="failed",
            last_error=f"subscription disabled: {reason}"[:500],
            claimed_by=None,
            claimed_until=None,
        )
    )
    db.flush()
    if notify:
        emit(
            db,
            organisation_id=subscription.organisation_id,
            event_type=types.SUBSCRIPTION_DISABLED,
            data={
                "id": str(subscription.uuid),
                "url": subscription.url,
                "disabled_at": timestamp(now),
                "reason": subscription.disabled_reason,
            },
            occurred_at=now,
        )


def enable_subscription(subscription: WebhookSubscription) -> None:
    subscription.enabled = True
    subscription.disabled_at = None
    subscription.disabled_reason = None
    subscription.failing_since = None
