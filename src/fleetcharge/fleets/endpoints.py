from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from fleetcharge.api.deps import get_db, page_only, requires
from fleetcharge.api.params import ListParams
from fleetcharge.api.responses import envelope, next_link
from fleetcharge.auth.service import Principal
from fleetcharge.fleets.schemas import VehiclePage
from fleetcharge.fleets.service import vehicles_page

router = APIRouter()


@router.get(
    "/vehicles",
    summary="Vehicles of the organisation's fleets, retired ones included",
    response_model=VehiclePage,
)
def list_vehicles(
    request: Request,
    # Authentication first: a caller without a valid token learns nothing, not even 400s.
    principal: Principal = Depends(requires("vehicles")),
    params: ListParams = Depends(page_only),
    db: Session = Depends(get_db),
) -> Response:
    total, items = vehicles_page(db, principal.organisation_id, params)
    return envelope("vehicles", items, total, next_link(request, params.page, total, {}))
