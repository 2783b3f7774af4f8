"""Whatever the order of runs and arrivals: every session is billed exactly once per kind of
document, never before it completes, and the lines add up to the sessions' amounts."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fleetcharge.billing import Period, draft_invoices
from fleetcharge.models import ChargeSession, Invoice, InvoiceLineItem, InvoiceSession, Organisation
from fleetcharge.money import gst_included
from tests import factories as f

from .readback import active_links_per_session

PERIODS = [Period(2024, 5), Period(2024, 6), Period(2024, 7), Period(2024, 8)]
# Later than every period above and every session below: bills whatever is left.
FINAL = Period(2024, 9)
FIRST_STOP = datetime(2024, 5, 25, tzinfo=UTC)
LAST_STOP_MINUTES = 72 * 24 * 60  # up to 5 August 2024
BILLED_AMOUNT = {
    "fleet": ChargeSession.cost_to_driver,
    "site_host": ChargeSession.total_cost,
    "rcti": ChargeSession.total_revenue,
}
CHARGING_LINE = {"fleet": "public charging", "site_host": "Network fees", "rcti": "revenue"}


@dataclass(frozen=True)
class Charge:
    driver: int  # index into the world's drivers
    site: int
    stop_minutes: int
    wh: int


# Month ends in both organisations' zones, and a minute either side of them.
EDGES = sorted(
    int((end - FIRST_STOP).total_seconds() // 60) + nudge
    for period in PERIODS[:-1]
    for zone in ("Australia/Perth", "Australia/Sydney")
    for end in [period.bounds(zone)[1]]
    for nudge in (-1, 0, 1)
)
charges = st.lists(
    st.builds(
        Charge,
        driver=st.integers(0, 3),
        site=st.integers(0, 1),
        stop_minutes=st.integers(0, LAST_STOP_MINUTES) | st.sampled_from(EDGES),
        wh=st.integers(0, 80_000),
    ),
    max_size=12,
)
runs = st.lists(st.sampled_from(PERIODS), max_size=4)


@contextmanager
def rolled_back(engine: Engine) -> Iterator[Session]:
    """A session whose work is thrown away, so each Hypothesis example starts empty."""
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            with Session(bind=connection) as db:
                yield db
        finally:
            transaction.rollback()


class World:
    """A Perth fleet organisation with two fleets, and a Sydney host that runs a fleet too."""

    def __init__(self, db: Session) -> None:
        self.db = db
        fleet_org = f.organisation(db, "Fleet Co")
        fleet_org.billing_timezone = "Australia/Perth"
        host = f.organisation(db, "Host Co")
        host.station_subscription_fee = Decimal("10.00")
        utes, vans = f.fleet(db, fleet_org, "Utes"), f.fleet(db, fleet_org, "Vans")
        own = f.fleet(db, host, "Host's own")
        vehicles = [
            f.vehicle(db, utes),
            f.vehicle(db, vans, effective_from=date(2024, 6, 15)),
            f.vehicle(db, own, effective_to=date(2024, 6, 30)),
        ]
        self.drivers = [f.driver(db, v) for v in vehicles] + [f.driver(db, None)]
        self.sites = [
            f.site(db, host, timezone="Australia/Sydney"),
            f.site(db, host, timezone="Australia/Perth"),
        ]

    def record(self, charge: Charge) -> None:
        stop = FIRST_STOP + timedelta(minutes=charge.stop_minutes)
        kwh = str(Decimal(charge.wh).scaleb(-3))
        f.charge(self.db, self.sites[charge.site], self.drivers[charge.driver], stop, kwh=kwh)

    def run(self, period: Period) -> None:
        draft_invoices(self.db, period)
        for invoice in self.db.scalars(select(Invoice)):
            check_document(self.db, invoice)


def billed_amount(session: ChargeSession, kind: str) -> Decimal:
    amount: Decimal = getattr(session, BILLED_AMOUNT[kind].key)
    return amount


def check_document(db: Session, invoice: Invoice) -> None:
    organisation = db.get_one(Organisation, invoice.organisation_id)
    period = Period(invoice.period_start.year, invoice.period_start.month)
    _, end = period.bounds(organisation.billing_timezone)
    sessions = db.scalars(
        select(ChargeSession)
        .join(InvoiceSession, InvoiceSession.session_id == ChargeSession.id)
        .where(InvoiceSession.invoice_id == invoice.id)
    ).all()
    lines = db.scalars(
        select(InvoiceLineItem).where(InvoiceLineItem.invoice_id == invoice.id)
    ).all()

    assert lines, "an empty document was created"
    assert all(s.stop_date_time < end for s in sessions)
    assert invoice.total_amount == sum(line.amount for line in lines)
    assert invoice.total_tax == gst_included(invoice.total_amount, Decimal("0.10"))
    charging = [line for line in lines if CHARGING_LINE[invoice.kind] in line.description]
    if invoice.kind == "fleet":
        assert {s.payer_organisation_id for s in sessions} <= {organisation.id}
        per_fleet: dict[int | None, Decimal] = {}
        for s in sessions:
            per_fleet[s.fleet_id] = per_fleet.get(s.fleet_id, Decimal(0)) + s.cost_to_driver
        assert {line.fleet_id: line.amount for line in charging} == per_fleet
        assert len(charging) == len(per_fleet)
    else:
        assert {s.host_organisation_id for s in sessions} <= {organisation.id}
        expected = [sum(billed_amount(s, invoice.kind) for s in sessions)] if sessions else []
        assert [line.amount for line in charging] == expected


def check_everything_billed_once(db: Session) -> None:
    everything = db.scalars(select(ChargeSession)).all()
    for kind in BILLED_AMOUNT:
        billable = [s for s in everything if kind != "fleet" or s.payer_organisation_id]
        assert active_links_per_session(db, kind) == {s.id: 1 for s in billable}
        lines_total = db.scalar(
            select(func.sum(InvoiceLineItem.amount))
            .join(Invoice, Invoice.id == InvoiceLineItem.invoice_id)
            .where(Invoice.kind == kind, InvoiceLineItem.description.contains(CHARGING_LINE[kind]))
        )
        assert (lines_total or 0) == sum(billed_amount(s, kind) for s in billable)


@settings(
    max_examples=30,
    deadline=None,
    # Each example works inside its own rolled-back transaction on the shared database.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(early=charges, first_runs=runs, late=charges, second_runs=runs)
def test_every_session_is_billed_exactly_once_per_kind(
    engine: Engine,
    early: list[Charge],
    first_runs: list[Period],
    late: list[Charge],
    second_runs: list[Period],
) -> None:
    with rolled_back(engine) as db:
        world = World(db)
        for charge in early:
            world.record(charge)
        for period in first_runs:
            world.run(period)
        # Arrive after their months may already have been drafted.
        for charge in late:
            world.record(charge)
        for period in second_runs:
            world.run(period)
        world.run(FINAL)
        check_everything_billed_once(db)
