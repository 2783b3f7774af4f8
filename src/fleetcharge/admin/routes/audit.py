from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from fleetcharge.admin.calls import Cursor, Limit, page_request
from fleetcharge.admin.documents import lists
from fleetcharge.admin.resources import listed
from fleetcharge.audit.schemas import AuditEventView
from fleetcharge.audit.service import event_view, list_events

router = APIRouter(prefix="/audit-events", tags=["Audit"])


@router.get("", summary="Changes made to the network's data, oldest first", **lists(AuditEventView))
def list_audit_events(
    request: Request,
    cursor: Cursor = None,
    limit: Limit = None,
    resource: Annotated[str | None, Query(description="e.g. station, vehicle, card.")] = None,
    resource_uuid: Annotated[UUID | None, Query(description="One object's history.")] = None,
) -> Response:
    return listed(
        request,
        "audit_events",
        lambda db, actor: list_events(
            db, actor, page_request(cursor, limit), resource=resource, resource_uuid=resource_uuid
        ),
        event_view,
    )
