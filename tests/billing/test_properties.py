"""Whatever the order of runs, approvals, voids and late arrivals: every completed session is
billed exactly once per kind of document (on live documents) when it adds something to it
(at most once otherwise), never before it completes, and the charging lines add up to the
sessions' amounts."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fleetcharge.billing import Period, approve_invoices, draft_invoices
from fleetcharge.billing.lines import PRIOR_PERIOD
from fleetcharge.billing.payments import void_invoice
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


# A run drafts a period and may approve its drafts; it may then void some live documents
# (by their position among them), which sends their sessions to a later run.
@dataclass(frozen=True)
class Run:
    period: Period
    approve: bool
    voids: tuple[int, ...]


runs = st.lists(
    st.builds(
        Run,
        period=st.sampled_from(PERIODS),
        approve=st.booleans(),
        voids=st.lists(st.integers(0, 8), max_size=2).map(tuple),
    ),
    max_size=4,
)


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

    def run(self, run: Run) -> None:
        draft_invoices(self.db, run.period)
        if run.approve:
            approve_invoices(self.db)
        for position in run.voids:
            live = self.db.scalars(
                select(Invoice).where(Invoice.status != "void").order_by(Invoice.id)
            ).all()
            if position < len(live):
                self.void(live[position])
        for invoice in self.db.scalars(select(Invoice).where(Invoice.status != "void")):
            check_document(self.db, invoice)

    def void(self, invoice: Invoice) -> None:
        """Void (or discard, if a draft) a document; an RCTI goes first, as it must."""
        rcti = self.db.scalars(
            select(Invoice).where(
                Invoice.accompanies_invoice_id == invoice.id, Invoice.status != "void"
            )
        ).first()
        if rcti is not None:
            void_invoice(self.db, rcti)
        void_invoice(self.db, invoice)


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
        .where(InvoiceSession.invoice_id == invoice.links_invoice_id)
    ).all()
    lines = db.scalars(
        select(InvoiceLineItem).where(InvoiceLineItem.invoice_id == invoice.id)
    ).all()

    assert lines, "an empty document was created"
    assert all(s.stop_date_time < end for s in sessions)
    assert invoice.total_amount == sum(line.amount for line in lines)
    assert invoice.total_tax == gst_included(invoice.total_amount, Decimal("0.10"))
    charging = [line for line in lines if CHARGING_LINE[invoice.kind] in line.description]
    start, _ = period.bounds(organisation.billing_timezone)
    # Per fleet (None off fleet invoices), the period's sessions and the late ones apart.
    expected: dict[tuple[int | None, bool], Decimal] = {}
    for s in sessions:
        key = (s.fleet_id if invoice.kind == "fleet" else None, s.stop_date_time < start)
        expected[key] = expected.get(key, Decimal(0)) + billed_amount(s, invoice.kind)
    billed = {(line.fleet_id, PRIOR_PERIOD in line.description) for line in charging}
    assert len(billed) == len(charging) == len(expected)
    assert {
        (line.fleet_id, PRIOR_PERIOD in line.description): line.amount for line in charging
    } == expected
    party = "payer_organisation_id" if invoice.kind == "fleet" else "host_organisation_id"
    assert {getattr(s, party) for s in sessions} <= {organisation.id}


def check_everything_billed_once(db: Session) -> None:
    everything = db.scalars(select(ChargeSession)).all()
    for kind in BILLED_AMOUNT:
        billable = [s for s in everything if kind != "fleet" or s.payer_organisation_id]
        links = active_links_per_session(db, kind)
        # A session adding something is billed exactly once; one adding nothing at most
        # once, as a document adding up to nothing is not made.
        payable = [s for s in billable if billed_amount(s, kind) != 0]
        assert {s.id: links[s.id] for s in payable} == {s.id: 1 for s in payable}
        assert set(links) <= {s.id for s in billable} and set(links.values()) <= {1}
        lines_total = db.scalar(
            select(func.sum(InvoiceLineItem.amount))
            .join(Invoice, Invoice.id == InvoiceLineItem.invoice_id)
            .where(
                Invoice.kind == kind,
                Invoice.status != "void",
                InvoiceLineItem.description.contains(CHARGING_LINE[kind]),
            )
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
    first_runs: list[Run],
    late: list[Charge],
    second_runs: list[Run],
) -> None:
    with rolled_back(engine) as db:
        world = World(db)
        for charge in early:
            world.record(charge)
        for run in first_runs:
            world.run(run)
        # Arrive after their months may already have been drafted.
        for charge in late:
            world.record(charge)
        for run in second_runs:
            world.run(run)
        world.run(Run(FINAL, approve=True, voids=()))
        check_everything_billed_once(db)
