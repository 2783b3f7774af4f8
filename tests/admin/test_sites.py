"""Smart-charging settings over the admin API: power, schedule, circuits, charging need."""

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from fleetcharge.models import OcppTransaction
from fleetcharge.sites import signals
from tests import factories as f
from tests.admin.helpers import ADMIN, Caller, account, all_pages, error_of, ok


def _site(engine: Engine) -> tuple[str, str]:
    with unit_of_work(engine) as db:
        s = f.site(db, f.organisation(db), timezone="Europe/Berlin")
        return str(s.location.uuid), str(s.station.uuid)


def test_power_settings_with_a_schedule_are_validated_versioned_audited_and_signalled(
    client: TestClient, engine: Engine, admin: Caller
) -> None:
    location, _ = _site(engine)
    heard: list[int] = []
    unsubscribe = signals.subscribe(heard.append)
    try:
        path = f"{ADMIN}/locations/{location}/power"
        shown = ok(client.get(path, headers=admin.headers))
        assert (shown["smart_charging"], shown["strategy"], shown["version"]) == (
            False,
            "deadline",
            0,
        )
        body = {
            "limit_kw": "200",
            "schedule": [{"days": "mon-fri", "start": "16:00", "end": "21:00", "limit_kw": 120}],
        }
        put = client.put(path, json=body, headers={**admin.headers, "If-Match": '"0"'})
        changed = ok(put)
        assert put.headers["etag"] == '"1"'
        assert (changed["limit_kw"], changed["smart_charging"], changed["timezone"]) == (
            "200.0",
            True,
            "Europe/Berlin",
        )
        assert changed["schedule"] == [
            {"days": "mon,tue,wed,thu,fri", "start": "16:00", "end": "21:00", "limit_kw": "120.0"}
        ]
        assert len(heard) == 1
        late = client.put(
            path, json={"limit_kw": 100}, headers={**admin.headers, "If-Match": '"0"'}
        )
        assert error_of(late, 412)
        bad = {
            "limit_kw": 200,
            "schedule": [{"days": "mon-fry", "start": "16:00", "end": "21:00", "limit_kw": 1}],
        }
        assert error_of(client.put(path, json=bad, headers=admin.headers), 400)["field"] == (
            "schedule[0].days"
        )
        bad_time = {
            "limit_kw": 200,
            "schedule": [{"days": "daily", "start": "25:00", "end": "21:00", "limit_kw": 1}],
        }
        assert error_of(client.put(path, json=bad_time, headers=admin.headers), 400)["field"] == (
            "schedule[0].start"
        )
        negative = client.put(path, json={"limit_kw": "-5"}, headers=admin.headers)
        assert error_of(negative, 400)["field"] == "limit_kw"
        strategy = client.put(
            path, json={"limit_kw": 1, "strategy": "fastest"}, headers=admin.headers
        )
        assert error_of(strategy, 400)
        off = ok(
            client.put(path, json={"limit_kw": None, "strategy": "priority"}, headers=admin.headers)
        )
        assert (off["smart_charging"], off["strategy"], len(off["schedule"])) == (
            False,
            "priority",
            1,
        )
        assert len(heard) == 2
        events = all_pages(client, admin, "/audit-events?resource=site_power")
        assert [e["after"]["limit_kw"] for e in events] == ["200.0", None]
    finally:
        unsubscribe()


def test_circuits_tree_and_station_on_a_circuit(
    client: TestClient, engine: Engine, admin: Caller
) -> None:
    location, _ = _site(engine)
    base = f"{ADMIN}/locations/{location}/circuits"
    feeder = ok(
        client.post(base, json={"name": "feeder", "limit_kw": 60}, headers=admin.headers), 201
    )
    assert (feeder["phases"], feeder["parent_uuid"], feeder["limit_a"]) == (3, None, None)
    panel = ok(
        client.post(
            base,
            json={"name": "panel", "limit_a": 32, "phases": 1, "parent_uuid": "feeder"},
            headers=admin.headers,
        ),
        201,
    )
    assert panel["parent_uuid"] == feeder["uuid"]
    again = client.post(base, json={"name": "panel"}, headers=admin.headers)
    assert error_of(again, 400)["field"] == "name"
    assert (
        error_of(client.post(base, json={"name": "site"}, headers=admin.headers), 400)["field"]
        == "name"
    )
    assert error_of(client.post(base, json={"name": "x", "phases": 2}, headers=admin.headers), 400)
    loop = client.patch(
        f"{base}/feeder", json={"parent_uuid": panel["uuid"]}, headers=admin.headers
    )
    assert error_of(loop, 400)["field"] == "parent_uuid"
    unknown = client.post(base, json={"name": "y", "parent_uuid": "nope"}, headers=admin.headers)
    assert error_of(unknown, 400)["field"] == "parent_uuid"
    listed = ok(client.get(base, headers=admin.headers))["data"]
    assert [c["name"] for c in listed] == ["feeder", "panel"]
    assert error_of(client.delete(f"{base}/feeder", headers=admin.headers), 409)
    renamed = ok(
        client.patch(
            f"{base}/panel", json={"name": "panel-a", "limit_a": None}, headers=admin.headers
        )
    )
    assert (renamed["name"], renamed["limit_a"]) == ("panel-a", None)
    ok(client.delete(f"{base}/panel-a", headers=admin.headers))
    assert error_of(client.get(f"{base}/panel-a", headers=admin.headers), 404)


def test_a_charging_need_for_the_open_transaction(
    client: TestClient, engine: Engine, admin: Caller
) -> None:
    _, station = _site(engine)
    path = f"{ADMIN}/stations/{station}/connectors/1/charging-need"
    body = {"departure_at": "2026-12-05T05:30:00+01:00", "energy_kwh": "30.5"}
    assert error_of(client.put(path, json=body, headers=admin.headers), 409)
    with unit_of_work(engine) as db:
        from sqlalchemy import select

        from fleetcharge.models import Connector, Station

        st = db.scalars(select(Station)).one()
        conn = db.scalars(select(Connector).where(Connector.station_id == st.id)).one()
        start = datetime.now(UTC) - timedelta(hours=1)
        tx = OcppTransaction(
            station_id=st.id,
            connector_id=conn.id,
            id_tag="T1",
            id_tag_status="Accepted",
            meter_start_wh=0,
            start_reported_at=start,
            started_at=start,
            received_at=start,
            flags=[],
        )
        db.add(tx)
        db.flush()
        tx_id = tx.id
    need = ok(client.put(path, json=body, headers=admin.headers))
    assert need == {
        "transaction_id": tx_id,
        "station_identity": need["station_identity"],
        "connector_id": 1,
        "departure_at": "2026-12-05T04:30:00+00:00",
        "energy_kwh": "30.50",
    }
    naive = client.put(path, json={"departure_at": "2026-12-05T05:30:00"}, headers=admin.headers)
    assert error_of(naive, 400)["field"] == "departure_at"
    assert (
        error_of(client.put(path, json={"energy_kwh": "1e9"}, headers=admin.headers), 400)["field"]
        == "energy_kwh"
    )
    assert (
        client.put(
            f"{ADMIN}/stations/{station}/connectors/100/charging-need",
            json={},
            headers=admin.headers,
        ).status_code
        == 400
    )


def test_support_reads_and_changes_nothing(client: TestClient, engine: Engine) -> None:
    location, _ = _site(engine)
    support = account(engine, "support")
    ok(client.get(f"{ADMIN}/locations/{location}/power", headers=support.headers))
    ok(client.get(f"{ADMIN}/locations/{location}/circuits", headers=support.headers))
    assert error_of(
        client.put(
            f"{ADMIN}/locations/{location}/power", json={"limit_kw": 1}, headers=support.headers
        ),
        403,
    )
    assert error_of(
        client.post(
            f"{ADMIN}/locations/{location}/circuits", json={"name": "a"}, headers=support.headers
        ),
        403,
    )


def test_station_vehicle_and_fleet_charging_fields_through_their_patches(
    client: TestClient, engine: Engine, admin: Caller
) -> None:
    location, station = _site(engine)
    with unit_of_work(engine) as db:
        fleet = f.fleet(db, f.organisation(db))
        vehicle, fleet_uuid = str(f.vehicle(db, fleet).uuid), str(fleet.uuid)
    ok(
        client.post(
            f"{ADMIN}/locations/{location}/circuits", json={"name": "feeder"}, headers=admin.headers
        ),
        201,
    )
    path = f"{ADMIN}/stations/{station}"
    changed = ok(client.patch(path, json={"phases": 1, "circuit": "feeder"}, headers=admin.headers))
    assert changed["phases"] == 1 and changed["circuit_uuid"] is not None
    assert (
        error_of(client.patch(path, json={"circuit": "nope"}, headers=admin.headers), 400)["field"]
        == "circuit"
    )
    assert error_of(client.patch(path, json={"phases": 2}, headers=admin.headers), 400)
    assert (
        ok(client.patch(path, json={"circuit": ""}, headers=admin.headers))["circuit_uuid"] is None
    )

    path = f"{ADMIN}/vehicles/{vehicle}"
    body = {
        "max_charge_power_kw": "11",
        "priority": 50,
        "departure_times": {"mon": "05:30", "Tue": "6:00"},
        "target_energy_kwh": "42.5",
    }
    bad = client.patch(
        path,
        json={**body, "departure_times": {"mon": "05:30", "tue": "6:00"}},
        headers=admin.headers,
    )
    assert error_of(bad, 400)["field"] == "departure_times.tue"
    changed = ok(
        client.patch(
            path,
            json={**body, "departure_times": {"mon": "05:30", "Tue": "06:00"}},
            headers=admin.headers,
        )
    )
    assert (changed["max_charge_power_kw"], changed["priority"], changed["target_energy_kwh"]) == (
        "11.0",
        50,
        "42.50",
    )
    assert changed["departure_times"] == {"mon": "05:30", "tue": "06:00"}
    assert error_of(client.patch(path, json={"priority": 1001}, headers=admin.headers), 400)
    assert (
        error_of(
            client.patch(
                path, json={"departure_times": {"someday": "05:00"}}, headers=admin.headers
            ),
            400,
        )["field"]
        == "departure_times"
    )
    cleared = ok(
        client.patch(
            path, json={"max_charge_power_kw": None, "departure_times": {}}, headers=admin.headers
        )
    )
    assert (cleared["max_charge_power_kw"], cleared["departure_times"], cleared["priority"]) == (
        None,
        {},
        50,
    )

    path = f"{ADMIN}/fleets/{fleet_uuid}"
    assert ok(client.patch(path, json={"priority": -20}, headers=admin.headers))["priority"] == -20
    assert error_of(client.patch(path, json={"priority": -2000}, headers=admin.headers), 400)


def test_a_station_moved_to_another_site_leaves_its_circuit(
    client: TestClient, engine: Engine, admin: Caller
) -> None:
    location, station = _site(engine)
    other, _ = _site(engine)
    base = f"{ADMIN}/locations/{location}/circuits"
    ok(client.post(base, json={"name": "feeder"}, headers=admin.headers), 201)
    ok(
        client.post(
            f"{ADMIN}/locations/{other}/circuits", json={"name": "far"}, headers=admin.headers
        ),
        201,
    )
    path = f"{ADMIN}/stations/{station}"
    assert ok(client.patch(path, json={"circuit": "feeder"}, headers=admin.headers))["circuit_uuid"]
    other_site = client.patch(path, json={"circuit": "far"}, headers=admin.headers)
    assert error_of(other_site, 400)["field"] == "circuit"
    moved = ok(client.patch(path, json={"location_uuid": other}, headers=admin.headers))
    assert moved["circuit_uuid"] is None
    ok(client.delete(f"{base}/feeder", headers=admin.headers))
    placed = ok(client.patch(path, json={"circuit": "far"}, headers=admin.headers))
    assert placed["circuit_uuid"] is not None
