"""Site-host revenue: what each connector earned and cost, per local day at the station.

A session counts on the calendar day it completed in its station's time zone (the day
the API's date filters use), whole: revenue and the network's cost are per session.
Revenue is what drivers outside the host paid; cost is the network fee charged to the
host; both GST-inclusive. Charging time is the session's time less its parking time.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from fleetcharge.client.models import SiteHostSession
from fleetcharge.client.reports.table import ZERO, energy, local_date, money


class Place(NamedTuple):
    local_date: date | None
    """None on a totals row."""
    location: str
    timezone: str
    evse_id: str
    station: str
    connector_id: int | None
    connector: str
    currency: str


@dataclass(frozen=True)
class RevenueRow:
    local_date: date | None
    location: str
    timezone: str
    evse_id: str
    station: str
    connector_id: int | None
    connector: str
    currency: str
    sessions: int
    energy_kwh: Decimal
    revenue: Decimal
    cost: Decimal
    margin: Decimal
    margin_ex_gst: Decimal
    gst_collected: Decimal
    gst_paid: Decimal
    charging_time_seconds: int
    parking_time_seconds: int


def _place(session: SiteHostSession) -> Place:
    where = session.location
    return Place(
        local_date(session.stop_date_time, where.timezone),
        where.name or "",
        where.timezone,
        where.evse.evse_id,
        where.evse.name or "",
        where.evse.connector.id,
        where.evse.connector.name or "",
        session.currency or "",
    )


def site_host_revenue(sessions: Iterable[SiteHostSession]) -> list[RevenueRow]:
    """One row per (local day, location, EVSE, connector, currency), sorted so."""
    groups: dict[Place, list[SiteHostSession]] = defaultdict(list)
    for session in sessions:
        groups[_place(session)].append(session)
    return [_row(place, groups[place]) for place in sorted(groups)]


def _row(place: Place, sessions: Sequence[SiteHostSession]) -> RevenueRow:
    revenue = sum((s.total_revenue for s in sessions), ZERO)
    cost = sum((s.total_cost for s in sessions), ZERO)
    gst_collected = sum((s.gst_on_total_revenue for s in sessions), ZERO)
    gst_paid = sum((s.gst_on_total_cost for s in sessions), ZERO)
    return RevenueRow(
        *place,
        sessions=len(sessions),
        energy_kwh=energy(sum((s.consumption or ZERO for s in sessions), ZERO)),
        revenue=money(revenue),
        cost=money(cost),
        margin=money(revenue - cost),
        margin_ex_gst=money((revenue - gst_collected) - (cost - gst_paid)),
        gst_collected=money(gst_collected),
        gst_paid=money(gst_paid),
        charging_time_seconds=sum(s.charging_time for s in sessions),
        parking_time_seconds=sum(s.total_parking_time for s in sessions),
    )


def totals(rows: Iterable[RevenueRow]) -> list[RevenueRow]:
    """One totals row per currency (location "Total", no day or station)."""
    by_currency: dict[str, list[RevenueRow]] = defaultdict(list)
    for row in rows:
        by_currency[row.currency].append(row)

    def total(members: list[RevenueRow], name: str) -> Decimal:
        return sum((getattr(r, name) for r in members), ZERO)

    return [
        RevenueRow(
            *Place(None, "Total", "", "", "", None, "", currency),
            sessions=sum(r.sessions for r in members),
            energy_kwh=total(members, "energy_kwh"),
            revenue=total(members, "revenue"),
            cost=total(members, "cost"),
            margin=total(members, "margin"),
            margin_ex_gst=total(members, "margin_ex_gst"),
            gst_collected=total(members, "gst_collected"),
            gst_paid=total(members, "gst_paid"),
            charging_time_seconds=sum(r.charging_time_seconds for r in members),
            parking_time_seconds=sum(r.parking_time_seconds for r in members),
        )
        for currency, members in sorted(by_currency.items())
    ]
