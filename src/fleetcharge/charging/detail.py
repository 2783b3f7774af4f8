"""One charge session in full for the console: what the sessions table shows of it, its
priced charging periods, and the energy curve those periods make when no meter values
were recorded (`csms.meter_curve` reads them when there are). Visible to the organisation
that paid for it (payer view) or hosts its station (site host view) only."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.charging.repository import USAGE, SessionView
from fleetcharge.charging.table import TableRow, fetch_rows, sort_column
from fleetcharge.charging.table_query import Sort
from fleetcharge.errors import NotFound
from fleetcharge.models import ChargeSession, ChargingPeriod, Invoice, InvoiceSession, Location
from fleetcharge.models.invoice import BILLED_STATUSES
from fleetcharge.permissions import Actor


@dataclass(frozen=True)
class Period:
    start: datetime  # UTC
    duration_s: int
    energy_kwh: Decimal
    dimension: str  # ENERGY | TIME | PARKING_TIME | FLAT
    unit_price: Decimal  # per kWh, per hour or per session, GST-inclusive
    amount: Decimal
    gst: Decimal


@dataclass(frozen=True)
class CurvePoint:
    at: datetime  # UTC
    energy_kwh: Decimal  # delivered since the start
    power_kw: Decimal | None  # drawn at that moment (or on average since the point before)


@dataclass(frozen=True)
class SessionDetail:
    row: TableRow
    address: str
    parking_s: int
    gst: Decimal  # in `row.cost`
    invoice_number: int | None  # the fleet invoice that billed it (payer view)
    periods: list[Period]


def session_detail(
    db: Session, actor: Actor, view: SessionView, organisation_id: int, session_uuid: UUID
) -> SessionDetail:
    """The session with this UUID if the organisation sees it in `view`, else NotFound."""
    actor.visible_to(organisation_id, "organisation", organisation_id)
    found = db.execute(
        select(
            ChargeSession.id,
            ChargeSession.total_parking_time_s,
            ChargeSession.gst_to_driver if view is USAGE else ChargeSession.gst_on_total_revenue,
            Location.address,
        )
        .join(Location, Location.id == ChargeSession.location_id)
        .where(ChargeSession.uuid == session_uuid, view.owner == organisation_id)
    ).first()
    if found is None:
        raise NotFound(f"no session {session_uuid}")
    session_id, parking_s, gst, address = found
    ids = (
        select(
            ChargeSession.id,
            sort_column(view, "stop").label("sort_value"),
            ChargeSession.stop_date_time,
        )
        .where(ChargeSession.id == session_id)
        .subquery()
    )
    (row,) = fetch_rows(db, view, organisation_id, ids, Sort("stop", False))
    periods = [
        Period(*values)
        for values in db.execute(
            select(
                ChargingPeriod.start_date_time,
                ChargingPeriod.duration_s,
                ChargingPeriod.consumption_kwh,
                ChargingPeriod.dimension,
                ChargingPeriod.unit_price,
                ChargingPeriod.amount,
                ChargingPeriod.gst,
            )
            .where(ChargingPeriod.session_id == session_id)
            .order_by(ChargingPeriod.seq)
        )
    ]
    return SessionDetail(
        row=row,
        address=address,
        parking_s=parking_s,
        gst=gst,
        invoice_number=_invoice_number(db, session_id) if view is USAGE else None,
        periods=periods,
    )


def _invoice_number(db: Session, session_id: int) -> int | None:
    return db.scalar(
        select(Invoice.invoice_number)
        .join(InvoiceSession, InvoiceSession.invoice_id == Invoice.id)
        .where(
            InvoiceSession.session_id == session_id,
            InvoiceSession.kind == "fleet",
            InvoiceSession.active,
            Invoice.status.in_(BILLED_STATUSES),
        )
    )


def period_curve(start: datetime, periods: Sequence[Period]) -> list[CurvePoint]:
    """Energy delivered at the start and at the end of each period, with each period's
    average power: the curve of a session whose station sent no meter values."""
    points = [CurvePoint(start, Decimal("0.000"), None)]
    delivered = Decimal("0.000")
    for period in periods:
        delivered += period.energy_kwh
        hours = Decimal(period.duration_s) / 3600
        power = (period.energy_kwh / hours).quantize(Decimal("0.01")) if hours else None
        points.append(
            CurvePoint(period.start + timedelta(seconds=period.duration_s), delivered, power)
        )
    return points
