from alembic import command
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fleetcharge.migrate import alembic_config
from fleetcharge.models import InvoiceNumberCounter
from fleetcharge.models.invoice import FIRST_INVOICE_NUMBER


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
