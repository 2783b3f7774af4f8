"""The billing events webhooks tell of: invoice.approved, invoice.paid, invoice.voided and
session.invoiced, each document as /invoices shows it to its organisation."""

from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.billing.listing import invoice_documents
from fleetcharge.models import ChargeSession, Invoice, InvoiceSession
from fleetcharge.webhooks import event_types
from fleetcharge.webhooks.emitters import Planned, emit_planned


def invoices_approved(db: Session, invoices: list[Invoice]) -> None:
    """invoice.approved, then session.invoiced, for each document (one query when none of
    their organisations subscribes)."""
    planned: list[Planned] = []
    for document in invoices:
        planned.append(
            (
                document.organisation_id,
                event_types.INVOICE_APPROVED,
                partial(_invoice, db, document),
            )
        )
        if document.links_invoice_id is not None:
            planned.append(
                (
                    document.organisation_id,
                    event_types.SESSION_INVOICED,
                    partial(_invoiced_sessions, db, document),
                )
            )
    emit_planned(db, planned)


def invoice_changed(db: Session, document: Invoice, event_type: str) -> None:
    """invoice.paid or invoice.voided."""
    emit_planned(db, [(document.organisation_id, event_type, partial(_invoice, db, document))])


def _invoice(db: Session, document: Invoice) -> dict[str, Any]:
    (shown,) = invoice_documents(db, document.organisation_id, [document])
    return {"invoice": shown}


def _invoiced_sessions(db: Session, document: Invoice) -> list[dict[str, Any]]:
    """The sessions the document bills, MAX_SESSIONS_PER_EVENT a part (none: no part)."""
    links = document.links_invoice_id
    if links is None:
        return []
    uuids = [
        str(uuid)
        for uuid in db.scalars(
            select(ChargeSession.uuid)
            .join(InvoiceSession, InvoiceSession.session_id == ChargeSession.id)
            .where(InvoiceSession.invoice_id == links)
            .order_by(ChargeSession.stop_date_time, ChargeSession.id)
        )
    ]
    size = event_types.MAX_SESSIONS_PER_EVENT
    chunks = [uuids[start : start + size] for start in range(0, len(uuids), size)]
    reference = {
        "uuid": str(document.uuid),
        "invoice_number": document.invoice_number,
        "kind": document.kind,
    }
    return [
        {"invoice": reference, "session_uuids": chunk, "part": part, "parts": len(chunks)}
        for part, chunk in enumerate(chunks, start=1)
    ]
