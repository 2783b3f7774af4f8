"""Reading back the events a test's changes wrote, each checked against its documented
schema (`fleetcharge.webhook_events.schemas`) made strict: no property it does not declare."""

from functools import cache
from typing import Any

from openapi_schema_validator import OAS31Validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.models import WebhookEvent
from fleetcharge.webhook_events.schemas import EVENT_MODELS
from fleetcharge.webhooks import payloads


def strict(schema: Any) -> Any:
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: strict(value) for key, value in schema.items()}
    if "properties" in out:
        out.setdefault("additionalProperties", False)
    return out


@cache
def validator(event_type: str) -> OAS31Validator:
    return OAS31Validator(strict(EVENT_MODELS[event_type].model_json_schema()))


def envelope(row: WebhookEvent) -> dict[str, Any]:
    """The event as a delivery sends it."""
    return payloads.envelope(
        event_id=str(row.uuid),
        event_type=row.type,
        created_at=row.created_at,
        api_version=row.api_version,
        data=row.data,
    )


def events(
    db: Session, event_type: str | None = None, organisation_id: int | None = None
) -> list[dict[str, Any]]:
    """The events written (of the type, to the organisation), oldest first, each valid."""
    query = select(WebhookEvent).order_by(WebhookEvent.id)
    if event_type is not None:
        query = query.where(WebhookEvent.type == event_type)
    if organisation_id is not None:
        query = query.where(WebhookEvent.organisation_id == organisation_id)
    found = []
    for row in db.scalars(query):
        event = envelope(row)
        errors = [error.message for error in validator(row.type).iter_errors(event)]
        assert not errors, (row.type, errors, event)
        found.append(event)
    return found


def recipients(db: Session, event_type: str) -> list[int]:
    query = select(WebhookEvent.organisation_id).where(WebhookEvent.type == event_type)
    return list(db.scalars(query.order_by(WebhookEvent.id)))
