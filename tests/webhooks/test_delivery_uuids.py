"""Migration 0028: deliveries written before it get a uuid each; it comes off and back on."""

from sqlalchemy import Engine, inspect, select

from fleetcharge.db import unit_of_work
from fleetcharge.migrate import downgrade, upgrade
from fleetcharge.models import WebhookDelivery
from fleetcharge.webhooks.outbox import emit
from tests import factories as f
from tests.webhooks.factories import subscription


def test_deliveries_made_before_the_migration_get_distinct_uuids(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        organisation = f.organisation(db)
        subscription(db, organisation)
        subscription(db, organisation)
        emit(db, organisation_id=organisation.id, event_type="invoice.paid", data={})
    downgrade(engine, "0027")
    columns = {c["name"] for c in inspect(engine).get_columns("webhook_deliveries")}
    assert "uuid" not in columns
    upgrade(engine)
    with unit_of_work(engine) as db:
        uuids = db.scalars(select(WebhookDelivery.uuid)).all()
        assert len(uuids) == 2 and len(set(uuids)) == 2 and None not in uuids
        emit(db, organisation_id=organisation.id, event_type="invoice.paid", data={})
        assert len(set(db.scalars(select(WebhookDelivery.uuid)))) == 4
