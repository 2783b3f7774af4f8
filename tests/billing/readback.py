"""Read back what a billing run wrote, in plain tuples the tests can compare."""

from collections import Counter
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from fleetcharge.models import Invoice, InvoiceLineItem, InvoiceSession, InvoiceVehicle

LineTuple = tuple[str, int, Decimal, Decimal]


def lines(db: Session, invoice: Invoice) -> list[LineTuple]:
    query = (
        select(InvoiceLineItem)
        .where(InvoiceLineItem.invoice_id == invoice.id)
        .order_by(InvoiceLineItem.position)
    )
    return [(li.description, li.units, li.unit_price, li.amount) for li in db.scalars(query)]


def billed_sessions(db: Session, invoice: Invoice) -> set[int]:
    """Sessions a live document bills (an RCTI: those of its site-host invoice)."""
    query = select(InvoiceSession.session_id).where(
        InvoiceSession.invoice_id == invoice.links_invoice_id, InvoiceSession.active
    )
    return set(db.scalars(query))


def billed_vehicles(db: Session, invoice: Invoice) -> set[int]:
    query = select(InvoiceVehicle.vehicle_id).where(InvoiceVehicle.invoice_id == invoice.id)
    return set(db.scalars(query))


def row_counts(db: Session) -> dict[str, int]:
    tables = {
        "invoices": Invoice,
        "line_items": InvoiceLineItem,
        "invoice_sessions": InvoiceSession,
        "invoice_vehicles": InvoiceVehicle,
    }
    return {
        name: db.scalar(select(func.count()).select_from(model)) or 0
        for name, model in tables.items()
    }


def active_links_per_session(db: Session, kind: str) -> Counter[int]:
    """How many live documents of this kind bill each session."""
    if kind == "rcti":
        rcti = aliased(Invoice)
        query = (
            select(InvoiceSession.session_id)
            .join(rcti, rcti.accompanies_invoice_id == InvoiceSession.invoice_id)
            .where(rcti.status != "void", InvoiceSession.active)
        )
        return Counter(db.scalars(query))
    query = select(InvoiceSession.session_id).where(
        InvoiceSession.kind == kind, InvoiceSession.active
    )
    return Counter(db.scalars(query))
