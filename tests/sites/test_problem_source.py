"""load_problems: a smart-charged site's problem from the database."""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from fleetcharge.models import (
    OcppMeterValue,
    OcppTransaction,
    SessionChargingNeed,
    SiteCircuit,
    SiteLimitWindow,
    SitePower,
)
from fleetcharge.sites.problem_source import load_problems
from fleetcharge.smart_charging.allocator import allocate
from fleetcharge.smart_charging.problem import Rate, Strategy
from tests import factories as f

NOW = datetime(2026, 7, 3, 16, 0, tzinfo=UTC)  # Friday 18:00 in Berlin


def _transaction(db, station, connector, card, wh: int = 10_000) -> OcppTransaction:
    start = NOW - timedelta(hours=1)
    tx = OcppTransaction(
        station_id=station.id,
        connector_id=connector.id,
        id_tag=card.id_tag if card else "PUBLIC1",
        id_tag_status="Accepted",
        card_id=card.id if card else None,
        meter_start_wh=wh,
        start_reported_at=start,
        started_at=start,
        received_at=start,
        flags=[],
    )
    db.add(tx)
    db.flush()
    return tx


def _value(db, tx, measurand: str, value: str, at: datetime, phase: str | None = None) -> None:
    db.add(
        OcppMeterValue(
            station_id=tx.station_id,
            connector_number=1,
            transaction_id=tx.id,
            source="MeterValues",
            reported_at=at,
            sampled_at=at,
            measurand=measurand,
            phase=phase,
            value_raw=value,
            value=Decimal(value),
            received_at=at,
        )
    )


def test_a_site_with_circuits_windows_and_two_sessions(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        host = f.organisation(db)
        site = f.site(db, host, timezone="Europe/Berlin")
        other, other_connector = f.station(db, site.location, "CP-DC", site.tariff)
        other.current_type, other.max_power_kw, other.phases = "DC", Decimal(50), 3
        site.station.phases = 1
        db.add(
            SitePower(
                location_id=site.location.id,
                limit_kw=Decimal(200),
                strategy="priority",
                updated_at=NOW,
            )
        )
        feeder = SiteCircuit(
            location_id=site.location.id, name="feeder", limit_kw=Decimal(60), phases=3
        )
        db.add(feeder)
        db.flush()
        panel = SiteCircuit(
            location_id=site.location.id,
            name="panel",
            limit_a=Decimal(32),
            phases=1,
            parent_id=feeder.id,
        )
        db.add(panel)
        db.flush()
        site.station.circuit_id = panel.id
        db.add(
            SiteLimitWindow(
                location_id=site.location.id,
                weekdays=0b1111111,
                starts=time(16),
                ends=time(21),
                limit_kw=Decimal(120),
            )
        )
        fleet = f.fleet(db, f.organisation(db))
        fleet.priority = 5
        car = f.vehicle(db, fleet)
        car.priority, car.max_charge_power_kw = 10, Decimal("7.4")
        car.departure_times = {"mon": "05:30", "fri": "23:00"}
        car.target_energy_kwh = Decimal(40)
        tx1 = _transaction(db, site.station, site.connector, car.cards[0], wh=10_000)
        _value(db, tx1, "Energy.Active.Import.Register", "14.5", NOW - timedelta(minutes=10))
        _value(db, tx1, "Energy.Active.Import.Register", "15.5", NOW - timedelta(minutes=5))
        tx2 = _transaction(db, other, other_connector, None)
        _value(db, tx2, "Power.Active.Import", "11", NOW - timedelta(minutes=1), "L1")
        _value(db, tx2, "Power.Active.Import", "12", NOW - timedelta(minutes=1), "L2")
        _value(db, tx2, "Power.Active.Import", "99", NOW - timedelta(minutes=9))
        db.add(
            SessionChargingNeed(
                transaction_id=tx2.id,
                departure_at=NOW + timedelta(hours=2),
                energy_kwh=Decimal(20),
                updated_at=NOW,
            )
        )
        # A site without a limit is not smart charged.
        f.site(db, host)
        ids = (tx1.id, tx2.id, site.location.id, site.location.uuid)

    with unit_of_work(engine) as db:
        [found] = load_problems(db, NOW)
    tx1_id, tx2_id, location_id, location_uuid = ids
    assert (found.location_id, found.location_uuid) == (location_id, location_uuid)
    problem = found.problem
    problem.check()
    assert problem.strategy == Strategy.PRIORITY
    assert problem.site.limit_kw == 200.0
    [feeder_node] = problem.site.children
    assert (feeder_node.id, feeder_node.limit_kw, feeder_node.phases) == ("feeder", 60.0, (0, 1, 2))
    [panel_node] = feeder_node.children
    assert (panel_node.limit_a, panel_node.phases) == (32.0, (0,))
    [site_identity] = panel_node.stations
    assert problem.site.stations == ("CP-DC",)
    # 18:00 in Berlin: the 120 kW window is in force until 21:00 (19:00 UTC).
    assert [(s.start, s.limit_kw) for s in problem.site_schedule][:2] == [
        (NOW, 120.0),
        (datetime(2026, 7, 3, 19, tzinfo=UTC), 200.0),
    ]
    first, second = problem.sessions
    assert (first.id, first.station_id, first.phases) == (str(tx1_id), site_identity, (0,))
    assert first.vehicle_max == Rate.kw(7.4)
    assert first.priority == 15
    assert first.departure == datetime(2026, 7, 3, 21, 0, tzinfo=UTC)  # Friday 23:00 local
    assert first.energy_needed_kwh == 40 - 5.5
    assert first.drawn is not None and abs(first.drawn.value - 12_000) < 1e-6  # 1 kWh in 5 min
    assert second.station_max == Rate.kw(50.0) and second.vehicle_max is None
    assert second.departure == NOW + timedelta(hours=2)
    assert second.energy_needed_kwh == 20.0  # nothing delivered: no register reading
    assert second.drawn == Rate.kw(23.0)  # its newest sample, L1 + L2
    assert found.connector_of == {str(tx1_id): 1, str(tx2_id): 1}
    assert found.phases_of == {str(tx1_id): 1, str(tx2_id): 3}
    allocation = allocate(problem)
    assert set(allocation.sessions) == {str(tx1_id), str(tx2_id)}


def test_only_the_locations_asked_for_and_stopped_transactions_left_out(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        host = f.organisation(db)
        a, b = f.site(db, host), f.site(db, host)
        for s in (a, b):
            db.add(
                SitePower(
                    location_id=s.location.id,
                    limit_kw=Decimal(100),
                    strategy="deadline",
                    updated_at=NOW,
                )
            )
        tx = _transaction(db, b.station, b.connector, None)
        tx.state = "stopped"
        ids = (a.location.id, b.location.id)
    with unit_of_work(engine) as db:
        assert [p.location_id for p in load_problems(db, NOW, [ids[1]])] == [ids[1]]
        [problem] = load_problems(db, NOW, [ids[1]])
        assert problem.problem.sessions == ()
        assert problem.problem.site_schedule == ()
