"""The /invoices projection: approved, paid and void documents, never drafts."""

from collections import defaultdict
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from fleetcharge.billing.due import amount_due
from fleetcharge.charging.pseudonyms import ShownCardIds
from fleetcharge.charging.repository import card_pseudonym_key
from fleetcharge.fleets.service import VEHICLE_COLUMNS, vehicle_dicts
from fleetcharge.kit.formats import local_iso, number, whole_minutes
from fleetcharge.kit.paging import PAGE_SIZE, ListParams
from fleetcharge.models import (
    ChargeSession,
    Connector,
    Fleet,
    Invoice,
    InvoiceLineItem,
    InvoiceSession,
    InvoiceVehicle,
    Location,
    Station,
    Vehicle,
)
from fleetcharge.models.invoice import VISIBLE_STATUSES

# Which session amount a document bills.
BILLED_AMOUNT = {
    "fleet": ChargeSession.cost_to_driver,
    "site_host": ChargeSession.total_cost,
    "rcti": ChargeSession.total_revenue,
}


def _filters(organisation_id: int, params: ListParams) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Invoice.organisation_id == organisation_id,
        Invoice.status.in_(VISIBLE_STATUSES),
    ]
    if params.date_from is not None:
        low = params.date_from.day or params.date_from.instant.date()  # type: ignore[union-attr]
        conditions.append(Invoice.invoice_date >= low)
    if params.date_to is not None:
        high = params.date_to.day or params.date_to.instant.date()  # type: ignore[union-attr]
        conditions.append(Invoice.invoice_date <= high)
    return conditions


def _line_items(db: Session, invoice_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    query = (
        select(InvoiceLineItem)
        .where(InvoiceLineItem.invoice_id.in_(invoice_ids))
        .order_by(InvoiceLineItem.invoice_id, InvoiceLineItem.position)
    )
    for line in db.scalars(query):
        lines[line.invoice_id].append(
            {
                "description": line.description,
                "units": line.units,
                "unit_price_incl_tax": number(line.unit_price),
                "amount_incl_tax": number(line.amount),
            }
        )
    return lines


def _vehicles(db: Session, invoice_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    rows = list(
        db.execute(
            select(InvoiceVehicle.invoice_id, *VEHICLE_COLUMNS)
            .join(Vehicle, Vehicle.id == InvoiceVehicle.vehicle_id)
            .join(Fleet, Fleet.id == Vehicle.fleet_id)
            .where(InvoiceVehicle.invoice_id.in_(invoice_ids))
            .order_by(InvoiceVehicle.invoice_id, Vehicle.effective_from, Vehicle.uuid)
        )
    )
    vehicles: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row, vehicle in zip(rows, vehicle_dicts(db, rows), strict=True):
        # The contract types an invoice vehicle's contract_number as a non-null string.
        vehicle["contract_number"] = vehicle["contract_number"] or ""
        vehicles[row.invoice_id].append(vehicle)
    return vehicles


def _sessions(
    db: Session, organisation_id: int, invoices: list[Invoice]
) -> dict[int, list[dict[str, Any]]]:
    """The sessions each document bills: its own links, or (an RCTI) those of the
    site-host invoice it accompanies; adjustment notes bill none. Cards of other
    organisations (on site-host documents) as pseudonyms, as on /sessions."""
    card_ids = ShownCardIds(organisation_id, partial(card_pseudonym_key, db))
    sessions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    # kind -> links invoice -> documents on this page reading those links
    readers: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for invoice in invoices:
        if invoice.links_invoice_id is not None:
            readers[invoice.kind][invoice.links_invoice_id].append(invoice.id)
    for kind, by_links in readers.items():
        query = (
            select(
                InvoiceSession.invoice_id,
                ChargeSession.uuid,
                ChargeSession.auth_id,
                ChargeSession.payer_organisation_id,
                ChargeSession.start_date_time,
                ChargeSession.stop_date_time,
                ChargeSession.total_time_s,
                ChargeSession.consumption_kwh,
                BILLED_AMOUNT[kind].label("amount"),
                Location.name.label("location_name"),
                Location.timezone,
                Station.name.label("station_name"),
                Connector.name.label("connector_name"),
            )
            .join(ChargeSession, ChargeSession.id == InvoiceSession.session_id)
            .join(Connector, Connector.id == ChargeSession.connector_id)
            .join(Station, Station.id == Connector.station_id)
            .join(Location, Location.id == ChargeSession.location_id)
            .where(InvoiceSession.invoice_id.in_(list(by_links)))
            .order_by(InvoiceSession.invoice_id, ChargeSession.stop_date_time, ChargeSession.id)
        )
        for row in db.execute(query):
            record = {
                "uuid": str(row.uuid),
                "location": row.location_name,
                "charge_station": row.station_name,
                "connector": row.connector_name,
                "start_time": local_iso(row.start_date_time, row.timezone, "milliseconds"),
                "stop_time": local_iso(row.stop_date_time, row.timezone, "milliseconds"),
                "auth_id": card_ids.auth_id(row.auth_id, row.payer_organisation_id),
                # Whole minutes here, as the published invoice examples show.
                "total_time": whole_minutes(row.total_time_s),
                "consumption": number(row.consumption_kwh),
                "total_cost_incl_tax": number(row.amount),
            }
            for invoice_id in by_links[row.invoice_id]:
                sessions[invoice_id].append(record)
    return sessions


def invoices_page(
    db: Session, organisation_id: int, params: ListParams
) -> tuple[int, list[dict[str, Any]]]:
    filters = _filters(organisation_id, params)
    total = db.scalar(select(func.count()).select_from(Invoice).where(*filters)) or 0
    if params.offset >= total:
        return total, []
    invoices = list(
        db.scalars(
            select(Invoice)
            .where(*filters)
            .order_by(Invoice.invoice_date, Invoice.invoice_number)
            .offset(params.offset)
            .limit(PAGE_SIZE)
        )
    )
    return total, invoice_documents(db, organisation_id, invoices)


def invoice_documents(
    db: Session, organisation_id: int, invoices: list[Invoice]
) -> list[dict[str, Any]]:
    """The documents as /invoices shows them to the organisation (theirs)."""
    ids = [invoice.id for invoice in invoices]
    lines, vehicles, sessions = (
        _line_items(db, ids),
        _vehicles(db, ids),
        _sessions(db, organisation_id, invoices),
    )
    return [
        {
            "uuid": str(invoice.uuid),
            "invoice_number": invoice.invoice_number,
            "invoice_date": invoice.invoice_date.isoformat(),
            "description": invoice.description,
            "status": invoice.status,
            "currency": invoice.currency,
            "total_tax": number(invoice.total_tax),
            "total_amount_incl_tax": number(invoice.total_amount),
            "total_paid_incl_tax": number(invoice.total_paid),
            "total_due_incl_tax": number(amount_due(invoice)),
            "reference": invoice.reference,
            "line_items": lines[invoice.id],
            "vehicles": vehicles[invoice.id],
            "charge_sessions": sessions[invoice.id],
        }
        for invoice in invoices
    ]
