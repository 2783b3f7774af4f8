"""Managing an organisation's webhook subscriptions (admin API and CLI): list, show, change,
rotate the signing secret, disable and enable. Every change is audited; an organisation's
member sees only its own organisation's subscriptions (another's are not found)."""

import re
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.audit.service import record
from fleetcharge.errors import InvalidField, NotFound
from fleetcharge.kit import fields
from fleetcharge.kit.cursors import Page, PageRequest, page_of
from fleetcharge.kit.versions import claim_version
from fleetcharge.models import Organisation, WebhookSubscription
from fleetcharge.models.base import utcnow
from fleetcharge.organisations.service import visible_organisation
from fleetcharge.permissions import Actor
from fleetcharge.webhooks import service
from fleetcharge.webhooks.admin_schemas import WebhookSubscriptionCreate, WebhookSubscriptionUpdate
from fleetcharge.webhooks.event_types import ALL
from fleetcharge.webhooks.targets import resolve_target

ALL_EVENTS = ALL
MAX_OVERLAP = timedelta(days=30)
_OVERLAP = re.compile(r"(\d{1,6})([smhd])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RESOURCE = "webhook_subscription"


def view(subscription: WebhookSubscription) -> dict[str, Any]:
    """What may be shown of a subscription: never a secret."""
    db = Session.object_session(subscription)
    organisation = db.get_one(Organisation, subscription.organisation_id) if db else None
    assert organisation is not None
    return {
        "uuid": str(subscription.uuid),
        "organisation": {"uuid": str(organisation.uuid), "name": organisation.name},
        "url": subscription.url,
        "event_types": list(subscription.event_types),
        "description": subscription.description,
        "enabled": subscription.enabled,
        "disabled_at": _time(subscription.disabled_at),
        "disabled_reason": subscription.disabled_reason,
        "previous_secret_expires_at": _time(_overlap_end(subscription)),
        "created_at": subscription.created_at.isoformat(),
        "updated_at": _time(subscription.updated_at),
        "version": subscription.version,
    }


def get_subscription(db: Session, actor: Actor, uuid: UUID) -> WebhookSubscription:
    actor.require("webhooks", "read")
    found = db.scalar(select(WebhookSubscription).where(WebhookSubscription.uuid == uuid))
    if found is None or not actor.sees(found.organisation_id):
        raise NotFound(f"no webhook subscription {uuid}")
    return found


def list_subscriptions(
    db: Session,
    actor: Actor,
    page: PageRequest,
    organisation_id: int | None = None,
    enabled: bool | None = None,
) -> Page[WebhookSubscription]:
    """Oldest first; an organisation's member lists only its own organisation's."""
    actor.require("webhooks", "read")
    query = select(WebhookSubscription)
    if actor.organisation_id is not None:
        query = query.where(WebhookSubscription.organisation_id == actor.organisation_id)
    if organisation_id is not None:
        query = query.where(WebhookSubscription.organisation_id == organisation_id)
    if enabled is not None:
        query = query.where(WebhookSubscription.enabled.is_(enabled))
    return page_of(db, query, WebhookSubscription.id, page)


def create(
    db: Session, actor: Actor, data: WebhookSubscriptionCreate
) -> tuple[WebhookSubscription, str]:
    """A subscription and its signing secret (shown once)."""
    actor.require("webhooks", "create")
    organisation = _organisation_for(db, actor, data.organisation_uuid)
    subscription, secret = service.create_subscription(
        db,
        organisation=organisation,
        url=_url(data.url, "url"),  # and checked as a target there
        event_types=event_types(data.event_types),
        description=_description(data.description),
    )
    record(
        db, actor, "create", _RESOURCE, subscription.uuid, organisation.id, None, view(subscription)
    )
    return subscription, secret


def update(
    db: Session,
    actor: Actor,
    subscription: WebhookSubscription,
    data: WebhookSubscriptionUpdate,
    expected_version: int | None,
) -> WebhookSubscription:
    """Only the fields sent change; a field sent as null is refused (url, event_types)."""
    actor.require("webhooks", "update")
    sent = data.model_fields_set
    url = target(_required(data.url, "url")) if "url" in sent else None
    types = (
        event_types(_required(data.event_types, "event_types")) if "event_types" in sent else None
    )
    before = view(subscription)
    claim_version(db, subscription, expected_version)
    if url is not None:
        subscription.url = url
    if types is not None:
        subscription.event_types = types
    if "description" in sent:
        subscription.description = _description(data.description)
    return _changed(db, actor, "update", subscription, before)


def rotate_secret(
    db: Session, actor: Actor, subscription: WebhookSubscription, overlap: str | None = None
) -> str:
    """A new signing secret (returned, shown once); the current one keeps signing too until
    `overlap` has passed (an earlier previous secret is dropped)."""
    actor.require("webhooks", "update")
    keep_for = overlap_duration(overlap)
    before = view(subscription)
    claim_version(db, subscription, None)
    secret = service.rotate_secret(db, subscription, overlap=keep_for)
    _changed(db, actor, "rotate_secret", subscription, before)
    return secret


def disable(
    db: Session,
    actor: Actor,
    subscription: WebhookSubscription,
    expected_version: int | None = None,
) -> WebhookSubscription:
    """No more events for it; disabling twice changes nothing."""
    actor.require("webhooks", "update")
    if not subscription.enabled:
        return subscription
    before = view(subscription)
    claim_version(db, subscription, expected_version)
    # Its pending deliveries are failed with it: `redeliver` sends one again.
    service.disable_subscription(db, subscription, reason=f"disabled by {actor.name}")
    return _changed(db, actor, "disable", subscription, before)


def enable(
    db: Session,
    actor: Actor,
    subscription: WebhookSubscription,
    expected_version: int | None = None,
) -> WebhookSubscription:
    """Events are sent again, and its record of failing deliveries starts afresh."""
    actor.require("webhooks", "update")
    if subscription.enabled:
        return subscription
    before = view(subscription)
    claim_version(db, subscription, expected_version)
    service.enable_subscription(subscription)
    return _changed(db, actor, "enable", subscription, before)


# --- checks of what is sent ------------------------------------------------------------


def target(url: str, field: str = "url") -> str:
    """A URL events may be sent to: https://, to a public address (server-side request
    forgery), unless the settings allow otherwise."""
    cleaned = _url(url, field)
    resolve_target(cleaned, field=field)
    return cleaned


def _url(url: str, field: str) -> str:
    cleaned = fields.text(url, field, max_length=2000)
    if any(c.isspace() or not c.isprintable() for c in cleaned):
        raise InvalidField(f"{field} must not contain spaces (encode them as %20)", field=field)
    return cleaned


def event_types(types: list[str], field: str = "event_types") -> list[str]:
    """Known event types, each once, in the order given; `*` alone: every type, present and
    future."""
    cleaned = [name.strip() for name in types]
    return service.check_event_types(cleaned, field=field)


def overlap_duration(text: str | None, field: str = "overlap") -> timedelta | None:
    """How long a rotated-out secret still signs: `0h`, `30m`, `24h`, `7d`, ... (None: the
    setting, webhooks_rotation_overlap_hours), at most 30 days."""
    if text is None:
        return None
    match = _OVERLAP.fullmatch(text.strip())
    seconds = int(match.group(1)) * _UNITS[match.group(2)] if match else None
    if seconds is None or seconds > MAX_OVERLAP.total_seconds():
        raise InvalidField(
            f"{field} must be a duration of at most 30 days such as 0h, 30m, 24h or 7d, "
            f"got {text!r}",
            field=field,
        )
    return timedelta(seconds=seconds)


def _required(value: Any, field: str) -> Any:
    if value is None:
        raise InvalidField(f"{field} cannot be null: leave it out to keep it", field=field)
    return value


def _description(value: str | None) -> str | None:
    return fields.optional_text(value, "description", max_length=200)


def _organisation_for(db: Session, actor: Actor, uuid: UUID | None) -> Organisation:
    if uuid is None:
        if actor.organisation_id is None:
            raise InvalidField(
                "organisation_uuid is required: the organisation whose events are sent",
                field="organisation_uuid",
            )
        organisation = db.get(Organisation, actor.organisation_id)
        assert organisation is not None
        return organisation
    return visible_organisation(db, actor, uuid, field="organisation_uuid")


def _changed(
    db: Session,
    actor: Actor,
    action: str,
    subscription: WebhookSubscription,
    before: dict[str, Any],
) -> WebhookSubscription:
    subscription.updated_at = utcnow()
    db.flush()
    after = view(subscription)
    record(
        db, actor, action, _RESOURCE, subscription.uuid, subscription.organisation_id, before, after
    )
    return subscription


def _overlap_end(subscription: WebhookSubscription) -> datetime | None:
    ends = subscription.previous_secret_expires_at
    return ends if ends is not None and ends > utcnow() else None


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
