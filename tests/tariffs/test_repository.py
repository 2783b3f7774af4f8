"""Which tariff a charge gets: an organisation's override at the location, else the
station's tariff, else nothing to pay; and a recorded session keeps the tariff it used."""

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from fleetcharge.models import ChargeSession, Station, TariffOverride
from fleetcharge.network.tariff_changes import change_tariff
from fleetcharge.pricing.engine import price
from fleetcharge.pricing.schemas import TariffSpec, Timeline
from fleetcharge.tariffs.repository import UNPRICED, applicable_tariff
from tests import factories as f

FREE = [{"price_components": [{"type": "ENERGY", "price": "0.00", "step_size": 1}]}]

NOW = datetime(2026, 3, 1, 9, tzinfo=UTC)


def test_overrides_apply_to_their_organisation_at_their_location_only(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        host, fleet_org, other = (f.organisation(db) for _ in range(3))
        here, elsewhere = f.site(db, host), f.site(db, host)
        staff = f.tariff(db, FREE)
        db.add(
            TariffOverride(
                organisation_id=host.id, location_id=here.location.id, tariff_id=staff.id
            )
        )
        db.add(
            TariffOverride(
                organisation_id=fleet_org.id, location_id=elsewhere.location.id, tariff_id=staff.id
            )
        )
        db.flush()

        def chosen(station: Station, payer: int | None) -> int | None:
            return applicable_tariff(db, station, payer, NOW).tariff_id

        assert chosen(here.station, host.id) == staff.id
        assert chosen(here.station, fleet_org.id) == here.tariff.id
        assert chosen(here.station, other.id) == here.tariff.id
        assert chosen(here.station, None) == here.tariff.id
        assert chosen(elsewhere.station, fleet_org.id) == staff.id
        assert chosen(elsewhere.station, host.id) == elsewhere.tariff.id
        applied = applicable_tariff(db, here.station, host.id, NOW)
        assert applied.spec.price_of("ENERGY") == 0
        assert applicable_tariff(db, here.station, None, NOW).spec.price_of("ENERGY") == Decimal(
            "0.30"
        )


def test_a_station_without_a_tariff_records_sessions_at_no_cost(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        s = f.site(db, f.organisation(db))
        s.station.tariff_id = None
        db.flush()
        applied = applicable_tariff(db, s.station, None, NOW)
        assert (applied.tariff_id, applied.spec) == (None, UNPRICED)
        start = datetime(2026, 3, 1, 9, tzinfo=UTC)
        stop = datetime(2026, 3, 1, 10, tzinfo=UTC)
        assert price(applied.spec, Timeline(start, stop, stop, Decimal("12"))).amount == 0


def test_editing_a_tariff_never_changes_recorded_sessions(engine: Engine) -> None:
    stop = datetime(2026, 3, 1, 10, tzinfo=UTC)
    with unit_of_work(engine) as db:
        s = f.site(db, f.organisation(db))
        session_id = f.charge(db, s, f.driver(db), stop, kwh="20.000").id
        s.tariff.elements = [
            {"price_components": [{"type": "ENERGY", "price": "0.99", "step_size": 1}]}
        ]
    with unit_of_work(engine) as db:
        session = db.get(ChargeSession, session_id)
        assert session is not None
        assert session.cost_to_driver == Decimal("6.00")  # 20 kWh at the 30c it was charged at
        assert session.tariff_snapshot is not None
        snapshot = TariffSpec.from_snapshot(session.tariff_snapshot)
        assert snapshot.price_of("ENERGY") == Decimal("0.30")


def test_a_default_tariff_change_prices_sessions_starting_after_it(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        s = f.site(db, f.organisation(db))
        free = f.tariff(db, FREE)
        change_tariff(db, s.station, free, datetime(2026, 3, 1, 12, tzinfo=UTC))
        db.flush()
        before = datetime(2026, 3, 1, 11, 59, tzinfo=UTC)
        after = datetime(2026, 3, 1, 12, tzinfo=UTC)
        assert applicable_tariff(db, s.station, None, before).tariff_id == s.tariff.id
        assert applicable_tariff(db, s.station, None, after).tariff_id == free.id
        change_tariff(db, s.station, None, datetime(2026, 3, 2, tzinfo=UTC))
        db.flush()
        assert applicable_tariff(db, s.station, None, after).tariff_id == free.id
        assert applicable_tariff(db, s.station, None, datetime(2026, 3, 3, tzinfo=UTC)) == (
            None,
            UNPRICED,
        )
