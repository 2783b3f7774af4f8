"""Writing and reading the audit log. Services record a change in the unit of work that
makes it, so the log and the data never disagree."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.kit.cursors import Page, PageRequest, page_of
from fleetcharge.logs import REQUEST_ID
from fleetcharge.models import AuditEvent
from fleetcharge.permissions import Actor


def record(
    db: Session,
    actor: Actor,
    action: str,
    resource: str,
    resource_uuid: UUID,
    organisation_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    db.add(
        AuditEvent(
            actor_uuid=actor.account_uuid,
            actor_name=actor.name,
            actor_role=actor.role,
            action=action,
            resource=resource,
            resource_uuid=resource_uuid,
            organisation_id=organisation_id,
            before=before,
            after=after,
            request_id=REQUEST_ID.get(None),
        )
    )


def event_view(event: AuditEvent) -> dict[str, Any]:
    return {
        "uuid": str(event.uuid),
        "at": event.at.isoformat(),
        "actor": {
            "uuid": str(event.actor_uuid) if event.actor_uuid else None,
            "name": event.actor_name,
            "role": event.actor_role,
        },
        "action": event.action,
        "resource": event.resource,
        "resource_uuid": str(event.resource_uuid),
        "before": event.before,
        "after": event.after,
        "request_id": event.request_id,
    }


def list_events(
    db: Session,
    actor: Actor,
    page: PageRequest,
    *,
    resource: str | None = None,
    resource_uuid: UUID | None = None,
    since: datetime | None = None,
) -> Page[AuditEvent]:
    """Oldest first; an organisation's member reads only its organisation's events."""
    actor.require("audit_events", "read")
    query = select(AuditEvent)
    if actor.organisation_id is not None:
        query = query.where(AuditEvent.organisation_id == actor.organisation_id)
    if resource is not None:
        query = query.where(AuditEvent.resource == resource)
    if resource_uuid is not None:
        query = query.where(AuditEvent.resource_uuid == resource_uuid)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    return page_of(db, query, AuditEvent.id, page)
