"""The usage totals the fleet overview reads stay equal to sums over the sessions, whether
kept session by session (recorded, repriced into another day or month) or rebuilt after a
bulk load."""

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fleetcharge.charging.recording import Attribution, rebuild_day_counts, reprice_session
from fleetcharge.db import unit_of_work
from fleetcharge.models import ChargeSession, Location, UsageDayTotal, UsageMonthTotal
from fleetcharge.pricing.schemas import Timeline
from tests import factories as f


def _stored(db: Session) -> tuple[dict[Any, tuple[int, Decimal, Decimal]], ...]:
    """Both tables, rows with no sessions left out."""
    tables = []
    for model, keys in (
        (UsageDayTotal, ("organisation_id", "local_date", "fleet_id")),
        (UsageMonthTotal, ("organisation_id", "month", "vehicle_id", "location_id")),
    ):
        table = model.__table__
        figures = [table.c.sessions, table.c.energy_kwh, table.c.cost]
        rows = db.execute(
            select(*(table.c[key] for key in keys), *figures).where(table.c.sessions != 0)
        )
        tables.append({tuple(row[: len(keys)]): tuple(row[len(keys) :]) for row in rows})
    return tuple(tables)


def _summed(db: Session) -> tuple[dict[Any, tuple[int, Decimal, Decimal]], ...]:
    """The same computed here from the sessions, in Python."""
    days: dict[Any, list[Any]] = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    months: dict[Any, list[Any]] = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    for s in db.scalars(select(ChargeSession).where(ChargeSession.vehicle_id.is_not(None))):
        for group, key in (
            (days, (s.payer_organisation_id, s.stop_local_date, s.fleet_id)),
            (
                months,
                (
                    s.payer_organisation_id,
                    s.stop_local_date.replace(day=1),
                    s.vehicle_id,
                    s.location_id,
                ),
            ),
        ):
            group[key][0] += 1
            group[key][1] += s.consumption_kwh
            group[key][2] += s.cost_to_driver
    return tuple({key: tuple(value) for key, value in group.items()} for group in (days, months))


def _reprice(db: Session, session: ChargeSession, stop: datetime, kwh: str) -> None:
    location = db.get_one(Location, session.location_id)
    attribution = Attribution(
        auth_id=session.auth_id,
        connector_id=session.connector_id,
        location_id=session.location_id,
        host_organisation_id=session.host_organisation_id,
        timezone=location.timezone,
        network_fee_per_kwh=Decimal("0.10"),
        card_id=session.card_id,
        vehicle_id=session.vehicle_id,
        fleet_id=session.fleet_id,
        payer_organisation_id=session.payer_organisation_id,
    )
    start = stop - timedelta(minutes=40)
    timeline = Timeline(start, stop, stop, Decimal(kwh), timezone=location.timezone)
    reprice_session(db, session, attribution, timeline)


def test_usage_totals_follow_every_session(engine: Engine) -> None:
    rng = random.Random(15)
    with unit_of_work(engine) as db:
        payers = [f.organisation(db) for _ in range(2)]
        fleets = [f.fleet(db, payer) for payer in payers for _ in range(2)]
        drivers = [f.driver(db, f.vehicle(db, fleet)) for fleet in fleets] + [f.driver(db)]
        host = f.organisation(db)
        sites = [f.site(db, host, zone) for zone in ("Australia/Perth", "Australia/Sydney")]
        sessions = []
        for _ in range(30):
            # Around the turn of a month, where local and UTC dates and months differ.
            stop = datetime(2026, 10, 31, 8, tzinfo=UTC) + timedelta(
                minutes=rng.randrange(-2000, 2000)
            )
            kwh = f"{rng.randrange(1, 60)}.{rng.randrange(1000):03d}"
            sessions.append(f.charge(db, rng.choice(sites), rng.choice(drivers), stop, kwh=kwh))
        for session in rng.sample(sessions, 6):
            moved = session.stop_date_time + timedelta(hours=rng.randrange(-30, 30))
            _reprice(db, session, moved, f"{rng.randrange(1, 40)}.250")
    with unit_of_work(engine) as db:
        kept = _stored(db)
        assert kept == _summed(db)
        assert sum(n for n, _, _ in kept[0].values()) == sum(
            1 for s in sessions if s.payer_organisation_id is not None
        )
        assert len({key[1].month for key in kept[0]}) == 2  # both months have sessions
        rebuild_day_counts(db)
    with unit_of_work(engine) as db:
        assert _stored(db) == kept
