from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from fleetcharge.api.deps import get_db, page_and_dates, requires
from fleetcharge.api.params import ListParams
from fleetcharge.api.responses import date_filters, envelope, next_link
from fleetcharge.auth.service import Principal
from fleetcharge.charging import schemas
from fleetcharge.charging.service import site_host_page, usage_page
from fleetcharge.settings import get_settings

router = APIRouter()


@router.get(
    "/usage",
    summary="Charge sessions paid by the organisation's fleets",
    response_model=schemas.UsagePage,
)
def list_usage(
    request: Request,
    # Authentication first: a caller without a valid token learns nothing, not even 400s.
    principal: Principal = Depends(requires("usage")),
    params: ListParams = Depends(page_and_dates),
    db: Session = Depends(get_db),
) -> Response:
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
    # Authentication first: a caller without a valid token learns nothing, not even 400s.
    principal: Principal = Depends(requires("sessions")),
    params: ListParams = Depends(page_and_dates),
    db: Session = Depends(get_db),
) -> Response:
    total, items = site_host_page(
        db, principal.organisation_id, params, get_settings().operator_name
    )
    return envelope(
        "sessions", items, total, next_link(request, params.page, total, date_filters(request))
    )
