from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from fleetcharge.api.deps import get_db, page_and_dates, requires
from fleetcharge.api.params import ListParams
from fleetcharge.api.responses import date_filters, envelope, next_link
from fleetcharge.auth.service import Principal
from fleetcharge.billing.listing import invoices_page
from fleetcharge.billing.schemas import InvoicePage

router = APIRouter()


@router.get(
    "/invoices",
    summary="The organisation's fleet invoices and site-host documents",
    description="Filtered on `invoice_date`. Draft invoices are never listed.",
    response_model=InvoicePage,
)
def list_invoices(
    request: Request,
    # Authentication first: a caller without a valid token learns nothing, not even 400s.
    principal: Principal = Depends(requires("invoices")),
    params: ListParams = Depends(page_and_dates),
    db: Session = Depends(get_db),
) -> Response:
    total, items = invoices_page(db, principal.organisation_id, params)
    return envelope(
        "invoices", items, total, next_link(request, params.page, total, date_filters(request))
    )
