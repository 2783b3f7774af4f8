"""The itemised appendix of a document: the sessions it bills, grouped, with their date,
location, energy and the amount each adds to the document's charging lines.

A fleet invoice groups them by vehicle (its fleet, registration and VIN); a site-host
invoice or RCTI by location, as other organisations' vehicles are not the host's to see.
Each session's amount is the one its kind of document bills (`BILLED_AMOUNT`), so the
appendix adds up to the charging lines exactly.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from fleetcharge.models import ChargeSession, Fleet, Invoice, InvoiceSession, Location, Vehicle
from fleetcharge.money import ZERO
from fleetcharge.timezones import zone

BILLED_AMOUNT: dict[str, InstrumentedAttribute[Decimal]] = {
    "fleet": ChargeSession.cost_to_driver,
    "site_host": ChargeSession.total_cost,
    "rcti": ChargeSession.total_revenue,
}
HEADINGS = {
    "fleet": "Charge sessions by vehicle",
    "site_host": "Charge sessions by location",
    "rcti": "Charge sessions by location",
}


@dataclass(frozen=True)
class AppendixRow:
    day: date  # completion date in the organisation's billing time zone
    location: str
    kwh: Decimal
    amount: Decimal


@dataclass(frozen=True)
class AppendixGroup:
    title: str
    rows: tuple[AppendixRow, ...]

    @property
    def kwh(self) -> Decimal:
        return sum((row.kwh for row in self.rows), Decimal("0.000"))

    @property
    def amount(self) -> Decimal:
        return sum((row.amount for row in self.rows), ZERO)


@dataclass(frozen=True)
class Appendix:
    heading: str
    groups: tuple[AppendixGroup, ...]

    @property
    def sessions(self) -> int:
        return sum(len(group.rows) for group in self.groups)

    @property
    def kwh(self) -> Decimal:
        return sum((group.kwh for group in self.groups), Decimal("0.000"))

    @property
    def amount(self) -> Decimal:
        return sum((group.amount for group in self.groups), ZERO)


def appendix(db: Session, invoice: Invoice, timezone: str) -> Appendix:
    """The sessions `invoice` bills, grouped; empty for an adjustment note."""
    heading = HEADINGS[invoice.kind]
    links = invoice.links_invoice_id
    if links is None:
        return Appendix(heading, ())
    query = (
        select(
            ChargeSession.stop_date_time,
            Location.name,
            ChargeSession.consumption_kwh,
            BILLED_AMOUNT[invoice.kind],
            Fleet.name,
            Vehicle.registration_number,
            Vehicle.vin,
        )
        .join(InvoiceSession, InvoiceSession.session_id == ChargeSession.id)
        .join(Location, Location.id == ChargeSession.location_id)
        .outerjoin(Fleet, Fleet.id == ChargeSession.fleet_id)
        .outerjoin(Vehicle, Vehicle.id == ChargeSession.vehicle_id)
        .where(InvoiceSession.invoice_id == links)
        .order_by(ChargeSession.stop_date_time, ChargeSession.id)
    )
    tz = zone(timezone)
    groups: dict[str, list[AppendixRow]] = defaultdict(list)
    for stop, location, kwh, amount, fleet, registration, vin in db.execute(query):
        by_vehicle = invoice.kind == "fleet"
        title = _vehicle_title(fleet, registration, vin) if by_vehicle else location
        groups[title].append(AppendixRow(stop.astimezone(tz).date(), location, kwh, amount))
    return Appendix(
        heading,
        tuple(AppendixGroup(title, tuple(rows)) for title, rows in sorted(groups.items())),
    )


def _vehicle_title(fleet: str | None, registration: str | None, vin: str | None) -> str:
    prefix = f"{fleet} - " if fleet else ""
    if vin is None:
        return f"{prefix}cards without a vehicle"
    return f"{prefix}{registration} (VIN {vin})"
