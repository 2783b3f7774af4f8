from fastapi import APIRouter, Request, Response

from fleetcharge.api.deps import Credentials, Page, authorised
from fleetcharge.api.responses import envelope, next_link
from fleetcharge.fleets.schemas import VehiclePage
from fleetcharge.fleets.service import vehicles_page
from fleetcharge.kit.paging import parse_list_params

router = APIRouter()


@router.get(
    "/vehicles",
    summary="Vehicles of the organisation's fleets, retired ones included",
    response_model=VehiclePage,
)
def list_vehicles(request: Request, _credentials: Credentials, page: Page = None) -> Response:
    with authorised(request, "vehicles") as (db, principal):
        params = parse_list_params(page)
        total, items = vehicles_page(db, principal.organisation_id, params)
    return envelope("vehicles", items, total, next_link(request, params.page, total, {}))
