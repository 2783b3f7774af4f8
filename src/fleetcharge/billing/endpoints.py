from fastapi import APIRouter, Request, Response

from fleetcharge.api.deps import Credentials, DateFrom, DateTo, Page, authorised
from fleetcharge.api.responses import date_filters, envelope, next_link
from fleetcharge.billing.listing import invoices_page
from fleetcharge.billing.schemas import InvoicePage
from fleetcharge.kit.paging import parse_list_params

router = APIRouter()


@router.get(
    "/invoices",
    summary="The organisation's fleet invoices and site-host documents",
    description="Filtered on `invoice_date`. Draft invoices are never listed.",
    response_model=InvoicePage,
)
def list_invoices(
    request: Request,
    _credentials: Credentials,
    page: Page = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
) -> Response:
    with authorised(request, "invoices") as (db, principal):
        params = parse_list_params(page, date_from, date_to)
        total, items = invoices_page(db, principal.organisation_id, params)
    return envelope(
        "invoices", items, total, next_link(request, params.page, total, date_filters(request))
    )
