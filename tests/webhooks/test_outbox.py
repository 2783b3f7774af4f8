"""Events are written in the caller's transaction, for the subscriptions that want them."""

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from fleetcharge.db import unit_of_work
from fleetcharge.migrate import downgrade, upgrade
from fleetcharge.models import Fleet, WebhookDelivery, WebhookEvent
from fleetcharge.webhooks import event_types as types
from fleetcharge.webhooks.outbox import Event, emit, emit_many
from fleetcharge.webhooks.service import (
    current_secret,
    disable_subscription,
    previous_secret,
    rotate_secret,
    signing_secrets,
)
from tests import factories as f
from tests.webhooks.factories import subscription


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_an_event_reaches_the_enabled_subscriptions_that_want_it(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        org, other = f.organisation(db), f.organisation(db)
        everything, _ = subscription(db, org)
        vehicles, _ = subscription(db, org, event_types=[types.VEHICLE_CREATED])
        sessions, _ = subscription(db, org, event_types=[types.SESSION_COMPLETED])
        disabled, _ = subscription(db, org)
        disabled_subscription(db, disabled)
        subscription(db, other)
        written = emit(
            db, organisation_id=org.id, event_type=types.VEHICLE_CREATED, data={"id": "v1"}
        )
        assert written is not None
    with unit_of_work(engine) as db:
        deliveries = db.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
        assert {d.subscription_id for d in deliveries} == {everything.id, vehicles.id}
        assert all(d.status == "pending" and d.event_id == written.id for d in deliveries)
        stored = db.get(WebhookEvent, written.id)
        assert stored is not None and stored.data == {"id": "v1"} and stored.api_version == "v1"
        assert stored.organisation_id == org.id and stored.type == types.VEHICLE_CREATED
        assert sessions.id not in {d.subscription_id for d in deliveries}


def disabled_subscription(db: Session, sub: object) -> None:
    disable_subscription(db, sub, reason="test")  # type: ignore[arg-type]


def test_no_subscription_costs_one_query_and_writes_nothing(engine: Engine) -> None:
    statements: list[str] = []
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        assert emit(db, organisation_id=org.id, event_type=types.CARD_BLOCKED, data={}) is None
        assert emit_many(db, [Event(org.id, types.INVOICE_PAID, {})] * 3) == []
        assert len(statements) == 2
        assert _count(db, WebhookEvent) == 0


def test_a_rolled_back_change_creates_no_event(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        subscription(db, org)
    with pytest.raises(RuntimeError), unit_of_work(engine) as db:
        f.fleet(db, org)
        emit(db, organisation_id=org.id, event_type=types.VEHICLE_CREATED, data={"id": "x"})
        raise RuntimeError("the change fails after the event was written")
    with unit_of_work(engine) as db:
        assert _count(db, WebhookEvent) == 0 and _count(db, WebhookDelivery) == 0
        assert _count(db, Fleet) == 0


def test_emit_many_writes_events_in_order_with_one_subscription_query(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        org, other = f.organisation(db), f.organisation(db)
        subscription(db, org)
        written = emit_many(
            db,
            [
                Event(org.id, types.STATION_OFFLINE, {"n": 1}),
                Event(other.id, types.STATION_OFFLINE, {"n": 2}),
                Event(org.id, types.STATION_ONLINE, {"n": 3}),
            ],
        )
        assert [e.data["n"] for e in written] == [1, 3]
        assert written[0].id < written[1].id
        assert _count(db, WebhookDelivery) == 2


def test_unknown_event_type_is_a_programming_error(engine: Engine) -> None:
    with unit_of_work(engine) as db, pytest.raises(ValueError, match="unknown webhook event"):
        emit(db, organisation_id=1, event_type="session.exploded", data={})


def test_secrets_are_sealed_and_rotate_with_an_overlap(engine: Engine) -> None:
    from datetime import timedelta

    from fleetcharge.models.base import utcnow

    with unit_of_work(engine) as db:
        sub, secret = subscription(db, f.organisation(db))
        assert secret.startswith("whsec_") and secret not in sub.secret_sealed
        assert current_secret(sub) == secret and previous_secret(sub) is None
        now = utcnow()
        new = rotate_secret(db, sub, overlap=timedelta(hours=1), now=now)
        assert signing_secrets(sub, now) == [new, secret]
        assert signing_secrets(sub, now + timedelta(hours=1)) == [new]


def test_disabling_notifies_the_other_subscriptions(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        failing, _ = subscription(db, org)
        other, _ = subscription(db, org, event_types=[types.CARD_BLOCKED])
        emit(db, organisation_id=org.id, event_type=types.CARD_BLOCKED, data={})
        disable_subscription(db, failing, reason="failing for 3 days", notify=True)
        rows = db.execute(
            select(WebhookEvent.type, WebhookDelivery.subscription_id, WebhookDelivery.status)
            .join(WebhookEvent)
            .order_by(WebhookDelivery.id)
        ).all()
        assert rows[-1] == (types.SUBSCRIPTION_DISABLED, other.id, "pending")
        assert (types.CARD_BLOCKED, failing.id, "failed") in rows


def test_the_webhooks_migration_downgrades_and_upgrades_again(engine: Engine) -> None:
    downgrade(engine, "0024")
    upgrade(engine)
    with unit_of_work(engine) as db:
        assert _count(db, WebhookEvent) == 0
