from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from fleetcharge.admin.calls import admin_call
from fleetcharge.billing.documents import operator_party
from fleetcharge.billing.statements import (
    STATEMENT_FORMATS,
    account_statement,
    statement_csv,
    statement_span,
)
from fleetcharge.errors import InvalidParameter
from fleetcharge.organisations.service import visible_organisation
from fleetcharge.settings import get_settings

router = APIRouter(prefix="/organisations", tags=["Organisations"])

_MEDIA = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


@router.get(
    "/{uuid}/statement",
    summary="Statement of account of an organisation (billing and admin roles)",
    responses={
        200: {
            "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                "text/csv": {"schema": {"type": "string"}},
            },
            "description": "Opening balance, documents issued (void ones listed, not counted),"
            " payments, closing balance; amounts GST-inclusive, positive when owed to the"
            " operator.",
        }
    },
)
def organisation_statement(
    request: Request,
    uuid: UUID,
    period: Annotated[
        str | None,
        Query(
            description="A month, YYYY-MM; default: the last completed one in the "
            "organisation's billing timezone."
        ),
    ] = None,
    date_from: Annotated[
        str | None, Query(alias="from", description="First day, YYYY-MM-DD, instead of period.")
    ] = None,
    date_to: Annotated[
        str | None, Query(alias="to", description="Last day, YYYY-MM-DD, instead of period.")
    ] = None,
    fmt: Annotated[str, Query(alias="format", description="pdf or csv.")] = "pdf",
) -> Response:
    if fmt not in STATEMENT_FORMATS:
        raise InvalidParameter(
            f"format must be one of {', '.join(STATEMENT_FORMATS)}", parameter="format"
        )
    now = datetime.now(UTC)
    with admin_call(request, "billing", "read") as (db, actor):
        organisation = visible_organisation(db, actor, uuid)
        first, last = statement_span(period, date_from, date_to, organisation.billing_timezone, now)
        account = account_statement(
            db, organisation, first, last, operator_party(get_settings()), now
        )
    if fmt == "csv":
        content = statement_csv(account).encode()
    else:
        from fleetcharge.billing.statement_pdf import render_statement_pdf

        content = render_statement_pdf(account)
    headers = {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(account.file_name)}.{fmt}"
    }
    return Response(content, 200, headers, media_type=_MEDIA[fmt])
