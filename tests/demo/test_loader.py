"""A loaded demo database: its shape, physics, counters, prices and idempotency."""

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fleetcharge.charging.recording import day_count_keys
from fleetcharge.demo.loader import load_demo
from fleetcharge.demo.places import AUSTRALIAN_TIMEZONES
from fleetcharge.models import (
    Card,
    ChargeSession,
    Connector,
    Fleet,
    Invoice,
    Location,
    Organisation,
    SessionDayCount,
    Station,
    Tariff,
    Vehicle,
)
from fleetcharge.money import round_money
from fleetcharge.pricing.engine import price
from fleetcharge.pricing.schemas import TariffSpec, Timeline
from fleetcharge.timezones import zone
from tests.demo.conftest import DEMO_NOW, DEMO_SESSIONS, LoadedDemo
from tests.demo.helpers import PERIODS, SESSIONS, all_rows


def _count(demo: LoadedDemo, model: Any) -> int:
    with Session(demo.engine) as db:
        return int(db.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture(scope="module")
def sessions(loaded_demo: LoadedDemo) -> list[dict[str, Any]]:
    return all_rows(loaded_demo.engine, SESSIONS, "id")


def test_loading_twice_changes_nothing(loaded_demo: LoadedDemo) -> None:
    assert loaded_demo.result.created and loaded_demo.result.sessions == DEMO_SESSIONS
    models = (Organisation, Vehicle, Card, Location, Station, ChargeSession, Invoice)
    before = {model: _count(loaded_demo, model) for model in models}
    again = load_demo(loaded_demo.engine, sessions=DEMO_SESSIONS, now=DEMO_NOW, progress=False)
    assert not again.created and again.sessions == 0
    assert again.organisations == loaded_demo.result.organisations
    assert {model: _count(loaded_demo, model) for model in models} == before
    assert before[ChargeSession] == DEMO_SESSIONS


def test_network_has_the_required_shapes(loaded_demo: LoadedDemo) -> None:
    with Session(loaded_demo.engine) as db:
        organisations = list(db.scalars(select(Organisation)))
        assert len(organisations) >= 3
        fleets = Counter(db.scalars(select(Fleet.organisation_id)))
        hosts = set(db.scalars(select(Location.host_organisation_id)))
        assert any(n == 2 for n in fleets.values())
        assert any(org.id in hosts and org.id not in fleets for org in organisations)
        assert any(org.id in hosts and org.id in fleets for org in organisations)
        assert all(org.abn and org.vehicle_fee == Decimal("4.95") for org in organisations)
        assert any(org.station_subscription_fee > 0 for org in organisations if org.id in hosts)

        vehicles = list(db.scalars(select(Vehicle)))
        assert len(vehicles) >= 60
        assert any(v.effective_to is not None for v in vehicles)
        cards_per_vehicle = Counter(db.scalars(select(Card.vehicle_id)))
        assert any(cards_per_vehicle[v.id] == 0 for v in vehicles)
        assert any(cards_per_vehicle[v.id] == 2 for v in vehicles)
        assert all(len(v.vin) == 17 for v in vehicles)

        locations = list(db.scalars(select(Location)))
        assert len(locations) >= 25
        assert {loc.timezone for loc in locations} == set(AUSTRALIAN_TIMEZONES)
        stations = list(db.scalars(select(Station)))
        for station in stations:
            assert station.tariff_id is not None and station.name.startswith("Station ")
            low, high = (7, 22) if station.current_type == "AC" else (50, 350)
            assert low <= station.max_power_kw <= high
        assert {s.current_type for s in stations} == {"AC", "DC"}
        assert set(db.scalars(select(Connector.name))) == {"Port A", "Port B"}

        tariffs = [
            TariffSpec.from_document(
                t.elements,
                currency=t.currency,
                tax_rate=t.tax_rate,
                parking_grace_minutes=t.parking_grace_minutes,
            )
            for t in db.scalars(select(Tariff))
        ]
        assert any(t.price_of("ENERGY") == 0 and not t.price_of("FLAT") for t in tariffs)
        assert any(t.price_of("PARKING_TIME") and t.parking_grace_minutes for t in tariffs)


def test_sessions_cover_the_awkward_cases(
    loaded_demo: LoadedDemo, sessions: list[dict[str, Any]]
) -> None:
    with Session(loaded_demo.engine) as db:
        timezones = {id_: tz for id_, tz in db.execute(select(Location.id, Location.timezone))}
        fleet_orgs = set(db.scalars(select(Fleet.organisation_id)))
    hosts_without_fleets = {s["host_organisation_id"] for s in sessions} - fleet_orgs

    def local(s: dict[str, Any], key: str) -> Any:
        return s[key].astimezone(zone(timezones[s["location_id"]]))

    assert any(
        local(s, "start_date_time").date() != local(s, "stop_date_time").date() for s in sessions
    )
    assert any(
        local(s, "start_date_time").utcoffset() != local(s, "stop_date_time").utcoffset()
        and timezones[s["location_id"]] == "Australia/Sydney"
        for s in sessions
    )
    assert any(s["total_time_s"] > 2 * 86400 for s in sessions)
    assert any(
        s["payer_organisation_id"] is None and s["host_organisation_id"] in hosts_without_fleets
        for s in sessions
    )
    own = [s for s in sessions if s["payer_organisation_id"] == s["host_organisation_id"]]
    assert own and all(s["total_revenue"] == 0 for s in own)
    perth_stops = {
        local(s, "stop_date_time").replace(tzinfo=None)
        for s in sessions
        if timezones[s["location_id"]] == "Australia/Perth"
    }
    assert any(
        stop.time().isoformat() == "23:30:00" and (stop + timedelta(days=1)).day == 1
        for stop in perth_stops
    )


def test_energy_never_exceeds_power_times_charging_time(
    loaded_demo: LoadedDemo, sessions: list[dict[str, Any]]
) -> None:
    with Session(loaded_demo.engine) as db:
        stations = {
            connector_id: (current, power)
            for connector_id, current, power in db.execute(
                select(Connector.id, Station.current_type, Station.max_power_kw).join(Station)
            )
        }
    for s in sessions:
        current, power = stations[s["connector_id"]]
        charging_s = s["total_time_s"] - s["total_parking_time_s"]
        assert s["consumption_kwh"] <= power * charging_s / 3600, s
        assert s["consumption_kwh"] > 0
        if current == "DC":
            assert 15 * 60 <= charging_s <= 60 * 60, s
        else:
            assert 3600 <= charging_s <= 10 * 3600, s
        assert s["start_date_time"].microsecond == 0 and s["stop_date_time"].microsecond == 0
        assert s["stop_date_time"] < DEMO_NOW


def test_day_counts_equal_a_group_by_over_sessions(
    loaded_demo: LoadedDemo, sessions: list[dict[str, Any]]
) -> None:
    expected: Counter[tuple[Any, ...]] = Counter()
    for s in sessions:
        expected.update(day_count_keys(s))
    with Session(loaded_demo.engine) as db:
        stored = {
            (c.organisation_id, c.view, c.utc_date, c.local_date): c.sessions
            for c in db.scalars(select(SessionDayCount))
        }
    assert stored == dict(expected)


def test_amounts_equal_repricing_from_the_snapshot(
    loaded_demo: LoadedDemo, sessions: list[dict[str, Any]]
) -> None:
    periods: dict[int, list[dict[str, Any]]] = {}
    for period in all_rows(loaded_demo.engine, PERIODS, "session_id", "seq"):
        periods.setdefault(period["session_id"], []).append(period)
    with Session(loaded_demo.engine) as db:
        fees = {
            id_: fee
            for id_, fee in db.execute(select(Organisation.id, Organisation.network_fee_per_kwh))
        }
        timezones = {id_: tz for id_, tz in db.execute(select(Location.id, Location.timezone))}
    for s in sessions:
        # The stored periods tell when the car was idle: rebuild the timeline from them.
        idle: list[tuple[datetime, datetime]] = []
        for p in periods[s["id"]]:
            if p["dimension"] == "PARKING_TIME":
                a = p["start_date_time"]
                b = a + timedelta(seconds=p["duration_s"])
                if idle and idle[-1][1] == a:
                    a = idle.pop()[0]
                idle.append((a, b))
        ends_idle = idle and idle[-1][1] == s["stop_date_time"]
        charging_end = idle[-1][0] if ends_idle else s["stop_date_time"]
        timeline = Timeline(
            s["start_date_time"],
            charging_end,
            s["stop_date_time"],
            s["consumption_kwh"],
            timezone=timezones[s["location_id"]],
            idle=tuple(idle),
        )
        priced = price(TariffSpec.from_snapshot(s["tariff_snapshot"]), timeline)
        assert (priced.amount, priced.gst) == (s["cost_to_driver"], s["gst_to_driver"])
        assert [
            (p.dimension, p.duration_s, p.consumption_kwh, p.unit_price, p.amount, p.gst)
            for p in priced.periods
        ] == [
            (
                p["dimension"],
                p["duration_s"],
                p["consumption_kwh"],
                p["unit_price"],
                p["amount"],
                p["gst"],
            )
            for p in periods[s["id"]]
        ]
        own = s["payer_organisation_id"] == s["host_organisation_id"]
        assert s["total_revenue"] == (0 if own else s["cost_to_driver"])
        fee = round_money(fees[s["host_organisation_id"]] * s["consumption_kwh"])
        assert s["total_cost"] == fee


def test_completed_months_are_invoiced(loaded_demo: LoadedDemo) -> None:
    with Session(loaded_demo.engine) as db:
        invoices = list(db.scalars(select(Invoice)))
    assert invoices and all(i.status == "approved" for i in invoices)
    assert loaded_demo.result.invoices == len(invoices)
    months = {(i.period_start.year, i.period_start.month) for i in invoices}
    assert months == {(2024, 10), (2024, 11), (2024, 12), (2025, 1), (2025, 2), (2025, 3)}


def test_tariff_overrides_and_time_of_use_apply(
    loaded_demo: LoadedDemo, sessions: list[dict[str, Any]]
) -> None:
    """Cybertron's own cards charge on the staff tariff at its depots; everyone else there pays
    the station's tariff; time-of-use DC sessions are priced on the location's clock."""
    with Session(loaded_demo.engine) as db:
        tariffs = {t.id: t.name for t in db.scalars(select(Tariff))}
        cybertron = db.scalar(select(Organisation.id).where(Organisation.name == "Cybertron"))
        depots = {
            loc.id: loc.timezone
            for loc in db.scalars(select(Location).where(Location.name.like("Cybertron %")))
        }
        station_tariff = {
            connector_id: tariff_id
            for connector_id, tariff_id in db.execute(
                select(Connector.id, Station.tariff_id).join(Station)
            )
        }
    at_depots = [s for s in sessions if s["location_id"] in depots]
    own = [s for s in at_depots if s["payer_organisation_id"] == cybertron]
    others = [s for s in at_depots if s["payer_organisation_id"] != cybertron]
    assert own and others
    assert {tariffs[s["tariff_id"]] for s in own} == {"Cybertron staff: free at own depots"}
    assert all(s["cost_to_driver"] == 0 and s["total_revenue"] == 0 for s in own)
    assert all(s["tariff_id"] == station_tariff[s["connector_id"]] for s in others)
    time_of_use = [s for s in others if tariffs[s["tariff_id"]].startswith("DC time-of-use")]
    peak = [
        s
        for s in time_of_use
        # Started and (DC charges last at most an hour) ended within the 16:00-21:00 peak.
        if 16 <= s["start_date_time"].astimezone(zone(depots[s["location_id"]])).hour < 20
        and s["total_parking_time_s"] == 0
    ]
    assert peak
    for s in peak:
        assert s["cost_to_driver"] == round_money(Decimal("0.69") * s["consumption_kwh"])
