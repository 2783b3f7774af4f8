"""A site's live allocation by the smart-charging control loop (read only: the loop alone
writes it)."""

from uuid import UUID

from fastapi import APIRouter, Request, Response

from fleetcharge.admin.calls import admin_call, object_response
from fleetcharge.admin.documents import shows
from fleetcharge.models.base import utcnow
from fleetcharge.network.locations import get_location
from fleetcharge.site_control import service
from fleetcharge.site_control.schemas import AllocationView

router = APIRouter(tags=["Smart charging"])


@router.get(
    "/locations/{uuid}/allocation",
    summary="The site's live allocation: each open transaction's limit and why",
    **shows(AllocationView, "The latest allocation (sessions empty: none yet)."),
)
def show_allocation(request: Request, uuid: UUID) -> Response:
    with admin_call(request, "locations", "read") as (db, actor):
        location = get_location(db, actor, uuid)
        return object_response(service.live_allocation(db, location, utcnow()))
