from fastapi import APIRouter, Request, Response

from fleetcharge.api.deps import Credentials, DateFrom, DateTo, Page, authorised_to_read
from fleetcharge.api.responses import date_filters, envelope, next_link
from fleetcharge.charging import schemas
from fleetcharge.charging.service import site_host_page, usage_page
from fleetcharge.kit.paging import parse_list_params
from fleetcharge.settings import get_settings

router = APIRouter()


@router.get(
    "/usage",
    summary="Charge sessions paid by the organisation's fleets",
    response_model=schemas.UsagePage,
)
def list_usage(
    request: Request,
    _credentials: Credentials,
    page: Page = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
) -> Response:
    # Authentication first: a caller without a valid token learns nothing, not even 400s.
    with authorised_to_read(request, "usage") as (db, principal):
        params = parse_list_params(page, date_from, date_to)
        total, items = usage_page(db, principal.organisation_id, params)
    return envelope(
        "sessions", items, total, next_link(request, params.page, total, date_filters(request))
    )


@router.get(
    "/sessions",
    summary="Charge sessions at the organisation's stations, whoever charged",
    response_model=schemas.SiteHostSessionPage,
)
def list_sessions(
    request: Request,
    _credentials: Credentials,
    page: Page = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
) -> Response:
    with authorised_to_read(request, "sessions") as (db, principal):
        params = parse_list_params(page, date_from, date_to)
        total, items = site_host_page(
            db, principal.organisation_id, params, get_settings().operator_name
        )
    return envelope(
        "sessions", items, total, next_link(request, params.page, total, date_filters(request))
    )
