"""When nobody subscribes, telling of a change costs one indexed query and builds nothing:
the central system's paths (StopTransaction, StatusNotification, connects) stay as fast."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from fleetcharge.charging import events as session_events
from fleetcharge.models import ConnectorStatus
from fleetcharge.webhooks import emitters, event_data
from tests import factories as f
from tests.webhooks.events import events
from tests.webhooks.factories import subscription

AT = datetime(2024, 6, 10, tzinfo=UTC)


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.rollback()


def _statements(engine: Engine, call: Callable[[], None]) -> list[str]:
    seen: list[str] = []

    def executed(*arguments: object) -> None:
        seen.append(str(arguments[2]))

    event.listen(engine, "before_cursor_execute", executed)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", executed)
    return seen


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_nobody_subscribed_costs_one_query_per_change(
    engine: Engine, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    host, payer = f.organisation(db), f.organisation(db)
    site = f.site(db, host)
    session = f.charge(db, site, f.driver(db, f.vehicle(db, f.fleet(db, payer))), AT)
    status = ConnectorStatus(
        station_id=site.station.id,
        connector_number=1,
        status="Charging",
        error_code="NoError",
        status_at=AT,
        received_at=AT,
    )
    db.add(status)
    db.flush()

    def never(*_: object) -> None:
        raise AssertionError("a payload was built for nobody")

    for builder in ("station_status", "station_presence"):
        monkeypatch.setattr(event_data, builder, never)
    monkeypatch.setattr(session_events, "_session", never)
    changes = {
        "session.completed": lambda: session_events.session_completed(db, session),
        "station.status_changed": lambda: emitters.station_status(db, status),
        "station.online": lambda: emitters.station_presence(db, site.station.id, True, AT),
    }
    for name, change in changes.items():
        statements = _statements(engine, change)
        assert len(statements) == 1, (name, statements)
        assert "webhook_subscriptions" in statements[0]

    # Subscribed to something else: still nothing built, nothing written.
    subscription(db, host, event_types=["vehicle.created"])
    subscription(db, payer, event_types=["vehicle.created"])
    for change in changes.values():
        change()
    assert events(db) == []
