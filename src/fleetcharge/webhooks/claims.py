"""Claiming due deliveries for one dispatcher, so that no two send one at the same time.

A subscription's deliveries go in order: only its oldest pending delivery (its head) may be
claimed, and with it the next ones of its queue, sent one after the other. The claim is a
lease (claimed_by, claimed_until): a dispatcher that dies leaves them to others once it
lapses. On PostgreSQL heads are locked with FOR UPDATE SKIP LOCKED, so dispatchers claim
side by side without waiting on each other; everywhere the head's claim is a conditional
UPDATE, so two dispatchers that picked the same head cannot both get it (SQLite)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from fleetcharge.db import unit_of_work
from fleetcharge.models import WebhookDelivery, WebhookEvent, WebhookSubscription


@dataclass(frozen=True)
class ClaimedDelivery:
    id: int
    attempts: int
    first_attempt_at: datetime | None
    event_uuid: str
    event_type: str
    event_created_at: datetime
    api_version: str
    data: dict[str, Any]


@dataclass
class ClaimedQueue:
    """The claimed deliveries of one subscription, in the order they must be sent."""

    subscription_id: int
    organisation_id: int
    url: str
    secret_sealed: str
    previous_secret_sealed: str | None
    previous_secret_expires_at: datetime | None
    deliveries: list[ClaimedDelivery] = field(default_factory=list)


def _unclaimed(now: datetime) -> Any:
    return or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now)


def _heads(db: Session, now: datetime, limit: int) -> list[tuple[int, int]]:
    """(delivery id, subscription id) of due, unclaimed heads of enabled subscriptions."""
    queued = aliased(WebhookDelivery)
    head_ids = (
        select(
            select(func.min(queued.id))
            .where(queued.subscription_id == WebhookSubscription.id, queued.status == "pending")
            .scalar_subquery()
        )
        .where(WebhookSubscription.enabled.is_(True))
        .scalar_subquery()
    )
    query = (
        select(WebhookDelivery.id, WebhookDelivery.subscription_id)
        .where(
            WebhookDelivery.id.in_(head_ids),
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
            _unclaimed(now),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    )
    if db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=WebhookDelivery)
    return [(row[0], row[1]) for row in db.execute(query)]


def _queue(db: Session, subscription_id: int, head_id: int, now: datetime, limit: int) -> list[int]:
    """The head and the deliveries after it, up to the first not yet due."""
    rows = db.execute(
        select(WebhookDelivery.id, WebhookDelivery.next_attempt_at)
        .where(
            WebhookDelivery.subscription_id == subscription_id,
            WebhookDelivery.status == "pending",
            WebhookDelivery.id >= head_id,
        )
        .order_by(WebhookDelivery.id)
        .limit(limit)
    ).all()
    ids: list[int] = []
    for delivery_id, due in rows:
        if due > now and ids:
            break
        ids.append(delivery_id)
    return ids


def claim(
    engine: Engine,
    *,
    owner: str,
    now: datetime,
    lease: timedelta,
    batch_size: int,
    per_subscription: int,
) -> list[ClaimedQueue]:
    """Claim up to `batch_size` subscriptions' heads (with up to `per_subscription` of each
    queue) until now + lease; committed before it returns."""
    with unit_of_work(engine) as db:
        heads = _heads(db, now, batch_size)
        if not heads:
            return []
        claim_values = {"claimed_by": owner, "claimed_until": now + lease}
        won = set(
            db.scalars(
                update(WebhookDelivery)
                .where(WebhookDelivery.id.in_([head for head, _ in heads]), _unclaimed(now))
                .values(**claim_values)
                .returning(WebhookDelivery.id)
                .execution_options(synchronize_session=False)
            )
        )
        queues: dict[int, list[int]] = {}
        for head, subscription_id in heads:
            if head in won:
                queues[subscription_id] = _queue(db, subscription_id, head, now, per_subscription)
        followers = [i for ids in queues.values() for i in ids[1:]]
        if followers:
            db.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id.in_(followers))
                .values(**claim_values)
                .execution_options(synchronize_session=False)
            )
        return _load(db, queues)


def _load(db: Session, queues: dict[int, list[int]]) -> list[ClaimedQueue]:
    if not queues:
        return []
    claimed: dict[int, ClaimedQueue] = {}
    for sub in db.scalars(
        select(WebhookSubscription).where(WebhookSubscription.id.in_(list(queues)))
    ):
        claimed[sub.id] = ClaimedQueue(
            subscription_id=sub.id,
            organisation_id=sub.organisation_id,
            url=sub.url,
            secret_sealed=sub.secret_sealed,
            previous_secret_sealed=sub.previous_secret_sealed,
            previous_secret_expires_at=sub.previous_secret_expires_at,
        )
    ids = [i for group in queues.values() for i in group]
    rows = db.execute(
        select(
            WebhookDelivery.id,
            WebhookDelivery.subscription_id,
            WebhookDelivery.attempts,
            WebhookDelivery.first_attempt_at,
            WebhookEvent.uuid,
            WebhookEvent.type,
            WebhookEvent.created_at,
            WebhookEvent.api_version,
            WebhookEvent.data,
        )
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.id.in_(ids))
        .order_by(WebhookDelivery.id)
    )
    for row in rows:
        claimed[row.subscription_id].deliveries.append(
            ClaimedDelivery(
                id=row.id,
                attempts=row.attempts,
                first_attempt_at=row.first_attempt_at,
                event_uuid=str(row.uuid),
                event_type=row.type,
                event_created_at=row.created_at,
                api_version=row.api_version,
                data=row.data,
            )
        )
    return [claimed[subscription_id] for subscription_id in queues]
