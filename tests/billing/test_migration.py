from collections.abc import Sequence
from datetime import UTC, date, datetime

from alembic import command
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from fleetcharge.billing import Period, approve_invoices, draft_invoices
from fleetcharge.billing.payments import void_invoice
from fleetcharge.db import unit_of_work
from fleetcharge.migrate import alembic_config
from fleetcharge.models import Invoice, InvoiceNumberCounter, InvoiceSession, Organisation
from fleetcharge.models.invoice import FIRST_INVOICE_NUMBER
from tests import factories as f

from .readback import billed_sessions


def test_models_and_migrations_agree(database_url: str) -> None:
    command.check(alembic_config(database_url))


def test_counter_is_seeded_and_survives_a_downgrade_round_trip(
    database_url: str, engine: Engine
) -> None:
    config = alembic_config(database_url)
    command.downgrade(config, "0001")
    command.upgrade(config, "head")

    with Session(engine) as db:
        counters = db.scalars(select(InvoiceNumberCounter)).all()
    assert [(c.id, c.next_number) for c in counters] == [(1, FIRST_INVOICE_NUMBER)]
    assert FIRST_INVOICE_NUMBER == 10000001


def test_billing_data_survives_a_downgrade_to_0004_and_back(
    database_url: str, engine: Engine
) -> None:
    """0004 gave RCTIs links of their own and session links an id; 0006 makes RCTIs read
    their site-host invoice's links. Both ways, every document bills the same sessions."""
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        vehicle = f.vehicle(db, f.fleet(db, org))
        site = f.site(db, org)
        for day in (3, 4):
            f.charge(db, site, f.driver(db, vehicle), datetime(2024, 6, day, tzinfo=UTC))
            f.charge(db, site, f.driver(db, None), datetime(2024, 6, day, tzinfo=UTC))
        draft_invoices(db, Period(2024, 6))
        documents: Sequence[Invoice] = approve_invoices(db)
        billed = {i.invoice_number: billed_sessions(db, i) for i in documents}
        rcti = next(i for i in documents if i.kind == "rcti")
        accompanied = db.get_one(Invoice, rcti.accompanies_invoice_id).invoice_number
    config = alembic_config(database_url)

    command.downgrade(config, "0004")
    with engine.connect() as connection:
        links = connection.execute(
            text(
                "SELECT i.invoice_number, s.session_id FROM invoice_sessions s"
                " JOIN invoices i ON i.id = s.invoice_id WHERE s.active"
            )
        ).all()
    old: dict[int, set[int]] = {}
    for number, session_id in links:
        old.setdefault(number, set()).add(session_id)
    assert old == billed

    command.upgrade(config, "head")
    with unit_of_work(engine) as db:
        documents = db.scalars(select(Invoice)).all()
        assert {i.invoice_number: billed_sessions(db, i) for i in documents} == billed
        rcti = next(i for i in documents if i.kind == "rcti")
        assert db.get_one(Invoice, rcti.accompanies_invoice_id).invoice_number == accompanied
        kinds = set(db.scalars(select(InvoiceSession.kind)))
    assert kinds == {"fleet", "site_host"}


def test_0025_backfills_replacements_and_due_dates(database_url: str, engine: Engine) -> None:
    """A month re-run after a void drafted its replacement; 0025 records which it
    replaces, and gives issued documents a due date on the default 14 days."""
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        vehicle = f.vehicle(db, f.fleet(db, org))
        f.charge(db, f.site(db, org), f.driver(db, vehicle), datetime(2024, 6, 3, tzinfo=UTC))
        draft_invoices(db, Period(2024, 6))
        approved = approve_invoices(db, now=datetime(2024, 7, 2, tzinfo=UTC))
        first = next(i for i in approved if i.kind == "fleet")
        void_invoice(db, first)
        (again,) = [i for i in draft_invoices(db, Period(2024, 6)) if i.kind == "fleet"]
        assert again.replaces_invoice_id == first.id
        assert first.voided_at is not None
        ids = (first.id, again.id)
    config = alembic_config(database_url)
    command.downgrade(config, "0024")
    command.upgrade(config, "head")
    with Session(engine) as db:
        first, again = (db.get_one(Invoice, i) for i in ids)
        assert (again.replaces_invoice_id, first.replaces_invoice_id) == (first.id, None)
        assert first.due_date == date(2024, 7, 16)  # issued 2 July (Sydney), 14 days
        assert again.due_date is None  # a draft
        assert db.get_one(Organisation, org.id).payment_terms_days == 14
        assert db.get_one(Organisation, org.id).billing_emails == []
