"""Smart charging in the console: a vehicle's smart-charging fields and this charge's own
departure and energy (the fleet's managers and staff; another organisation's vehicle not
found), and a location's smart-charging page with the live allocation (staff)."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from fleetcharge.console.forms import departures, departures_text, local_input, local_moment
from fleetcharge.db import unit_of_work
from fleetcharge.models import (
    AuditEvent,
    OcppTransaction,
    Organisation,
    SessionChargingNeed,
    SiteAllocation,
    SiteControlState,
    SitePower,
    Vehicle,
)
from fleetcharge.sites.timing import WEEKDAYS
from tests import factories as f
from tests.console.conftest import BrowserPage, Console
from tests.console.forms import field_error, field_value, hidden, landed, send


@dataclass(frozen=True)
class Depot:
    home: Organisation
    other: Organisation
    charging: str  # vehicle uuids
    idle: str
    others: str
    location: str
    station: str
    tx_id: int


@pytest.fixture
def depot(engine: Engine) -> Depot:
    with unit_of_work(engine) as db:
        home, other = f.organisation(db, "Home Fleet"), f.organisation(db, "Other Fleet")
        vans = f.fleet(db, home, "Vans")
        charging, idle = f.vehicle(db, vans), f.vehicle(db, vans)
        others = f.vehicle(db, f.fleet(db, other))
        site = f.site(db, f.organisation(db, "Host"), "Australia/Perth")
        start = datetime.now(UTC) - timedelta(hours=1)
        tx = OcppTransaction(
            station_id=site.station.id,
            connector_id=site.connector.id,
            id_tag=charging.cards[0].id_tag,
            id_tag_status="Accepted",
            card_id=charging.cards[0].id,
            meter_start_wh=0,
            start_reported_at=start,
            started_at=start,
            received_at=start,
            flags=[],
        )
        db.add(tx)
        db.add(
            SitePower(
                location_id=site.location.id,
                limit_kw=Decimal("100"),
                strategy="deadline",
                updated_at=start,
                version=1,
            )
        )
        db.flush()
        return Depot(
            home,
            other,
            str(charging.uuid),
            str(idle.uuid),
            str(others.uuid),
            str(site.location.uuid),
            site.station.ocpp_identity,
            tx.id,
        )


def _need(engine: Engine, tx_id: int) -> SessionChargingNeed | None:
    with unit_of_work(engine) as db:
        need = db.get(SessionChargingNeed, tx_id)
        if need is not None:
            db.expunge(need)
        return need


def test_this_charge_round_trip_in_the_sites_local_time(
    console: Console, engine: Engine, depot: Depot
) -> None:
    console.sign_in("fleet_manager", depot.home)
    path = f"/fleet/vehicles/{depot.charging}"
    page = console.client.get(path).text
    assert "This charge" in page and depot.station in page
    assert "This charge" not in console.client.get(f"/fleet/vehicles/{depot.idle}").text

    good = {"departure_at": "2026-12-05T05:30", "energy_kwh": "30.5"}
    assert send(console, f"{path}/charge", good, csrf=False).status_code == 403
    bad_energy = send(console, f"{path}/charge", {**good, "energy_kwh": "lots"})
    assert bad_energy.status_code == 400
    assert "energy_kwh" in (field_error(bad_energy.text, "energy_kwh") or "")
    assert field_value(bad_energy.text, "departure_at") == "2026-12-05T05:30"  # kept
    too_much = send(console, f"{path}/charge", {**good, "energy_kwh": "10000"})
    assert too_much.status_code == 400 and field_error(too_much.text, "energy_kwh")
    bad_time = send(console, f"{path}/charge", {**good, "departure_at": "tomorrow"})
    assert bad_time.status_code == 400 and field_error(bad_time.text, "departure_at")
    assert _need(engine, depot.tx_id) is None

    landed(send(console, f"{path}/charge", good), f"{path}?done=charge_set")
    need = _need(engine, depot.tx_id)
    assert need is not None
    # Perth is UTC+8 all year.
    assert need.departure_at == datetime(2026, 12, 4, 21, 30, tzinfo=UTC)
    assert need.energy_kwh == Decimal("30.5")
    shown = console.client.get(f"{path}?done=charge_set").text
    assert field_value(shown, "departure_at") == "2026-12-05T05:30"
    assert "departure and energy saved" in shown
    with unit_of_work(engine) as db:
        audited = db.scalars(select(AuditEvent).where(AuditEvent.resource == "charging_need")).one()
        assert audited.actor_name == "fleet_manager tester"

    landed(send(console, f"{path}/charge", {"departure_at": "", "energy_kwh": ""}), path)
    cleared = _need(engine, depot.tx_id)
    assert cleared is not None and (cleared.departure_at, cleared.energy_kwh) == (None, None)

    assert send(console, f"/fleet/vehicles/{depot.others}/charge", good).status_code == 404
    assert console.client.get(f"/fleet/vehicles/{depot.others}").status_code == 404
    assert send(console, f"/fleet/vehicles/{depot.idle}/charge", good).status_code == 409


def test_a_read_only_member_sees_the_charge_but_may_not_set_it(
    console: Console, depot: Depot
) -> None:
    console.sign_in("read_only", depot.home)
    path = f"/fleet/vehicles/{depot.charging}"
    page = console.client.get(path).text
    assert "This charge" in page and 'id="charge-form"' not in page
    refused = send(console, f"{path}/charge", {"departure_at": "", "energy_kwh": "1"})
    assert refused.status_code == 403


def test_the_vehicles_smart_charging_fields(console: Console, engine: Engine, depot: Depot) -> None:
    console.sign_in("fleet_manager", depot.home)
    path = f"/fleet/vehicles/{depot.idle}"
    page = console.client.get(path).text
    change = {
        "registration_number": field_value(page, "registration_number"),
        "version": hidden(page, "version"),
        "max_charge_power_kw": "11",
        "priority": "5",
        "departure_times": "mon 05:30, Fri 06:15",
        "target_energy_kwh": "40",
    }
    for name, bad in (
        ("max_charge_power_kw", "0"),
        ("priority", "1001"),
        ("priority", "high"),
        ("departure_times", "funday 05:30"),
        ("departure_times", "mon 25:00"),
        ("departure_times", "mon"),
        ("target_energy_kwh", "-1"),
    ):
        refused = send(console, path, {**change, name: bad})
        assert refused.status_code == 400, (name, bad)
        assert field_error(refused.text, name), (
            name,
            bad,
            re.findall(r"field-error.*|role=\"alert\".*", refused.text),
        )
    landed(send(console, path, change), f"{path}?done=changed")
    with unit_of_work(engine) as db:
        vehicle = db.scalars(select(Vehicle).where(Vehicle.uuid == UUID(depot.idle))).one()
        assert (vehicle.max_charge_power_kw, vehicle.priority, vehicle.target_energy_kwh) == (
            Decimal("11.0"),
            5,
            Decimal("40"),
        )
        assert vehicle.departure_times == {"mon": "05:30", "fri": "06:15"}
    page = console.client.get(path).text
    assert field_value(page, "departure_times") == "mon 05:30, fri 06:15"
    blank = {"departure_times": "", "max_charge_power_kw": "", "target_energy_kwh": ""}
    landed(send(console, path, {**change, **blank, "version": hidden(page, "version")}), path)
    with unit_of_work(engine) as db:
        vehicle = db.scalars(select(Vehicle).where(Vehicle.uuid == UUID(depot.idle))).one()
        assert (vehicle.max_charge_power_kw, vehicle.target_energy_kwh) == (None, None)
        assert not vehicle.departure_times and vehicle.priority == 5


def _allocate(engine: Engine, depot: Depot) -> None:
    now = datetime.now(UTC)
    with unit_of_work(engine) as db:
        location = db.scalars(select(SitePower)).one().location_id
        db.add(
            SiteControlState(
                location_id=location,
                holder="test",
                lease_until=now + timedelta(minutes=1),
                computed_at=now,
                limit_w=100_000.0,
                load_w=7_200.0,
                allocated_w=22_000.0,
            )
        )
        db.add(
            SiteAllocation(
                transaction_id=depot.tx_id,
                location_id=location,
                station_identity=depot.station,
                connector_number=1,
                limit_w=22_000.0,
                limit_a=31.9,
                paused=False,
                controllable=True,
                reason="deadline 05:30: needs 30 kWh",
                drawn_w=7_200.0,
                computed_at=now,
                profile_status="Accepted",
                sent_limit_w=22_000.0,
                sent_at=now,
            )
        )


def test_the_location_page_and_its_limit_form(
    console: Console, engine: Engine, depot: Depot
) -> None:
    path = f"/network/locations/{depot.location}/smart-charging"
    console.sign_in("fleet_manager", depot.home)
    assert console.client.get(path).status_code == 404  # staff's pages only
    console.sign_in("admin")
    page = console.client.get(path).text
    assert "100.0 kW" in page or "100 kW" in page
    assert "None yet" in page
    _allocate(engine, depot)
    page = console.client.get(path).text
    assert "22.0 kW" in page and "31.9 A" in page and "deadline 05:30" in page
    assert "7.2 kW" in page and "AWST" in page  # the site's local time
    with unit_of_work(engine) as db:
        vehicle = db.scalars(select(Vehicle).where(Vehicle.uuid == UUID(depot.charging))).one()
        assert f"<td>{vehicle.registration_number}</td>" in page and "Accepted" in page

    version = hidden(page, "version")
    bad = send(console, path, {"limit_kw": "-5", "strategy": "deadline", "version": version})
    assert bad.status_code == 400 and field_error(bad.text, "limit_kw")
    bad = send(console, path, {"limit_kw": "50", "strategy": "fastest", "version": version})
    assert bad.status_code == 400 and field_error(bad.text, "strategy")
    landed(
        send(console, path, {"limit_kw": "50", "strategy": "priority", "version": version}), path
    )
    with unit_of_work(engine) as db:
        power = db.scalars(select(SitePower)).one()
        assert (power.limit_kw, power.strategy) == (Decimal("50.0"), "priority")
    stale = send(console, path, {"limit_kw": "60", "strategy": "priority", "version": version})
    assert stale.status_code == 400 and "Someone else changed this" in stale.text
    support = console.client.get("/network/locations").text
    assert f'href="{path}"' in support


def test_the_allocation_panel_in_a_browser(
    console: Console, engine: Engine, browser: BrowserPage, depot: Depot
) -> None:
    _allocate(engine, depot)
    console.sign_in("admin")
    browser.open(f"/network/locations/{depot.location}/smart-charging")
    rows = browser.page.locator("#allocation-sessions tbody tr")
    assert rows.count() == 1
    cells = rows.first.locator("td").all_inner_texts()
    assert cells[0] == f"{depot.station}#1" and cells[2] == "22.0 kW" and cells[5] == "no"
    assert browser.page.locator("#site-load").inner_text() == "7.2 kW"
    assert browser.page.locator("#allocation meter").count() == 1
    browser.assert_no_errors()


_TIMES = st.times().map(lambda t: t.strftime("%H:%M"))


@given(st.dictionaries(st.sampled_from(WEEKDAYS), _TIMES, max_size=7))
def test_usual_departures_as_text_and_back(times: dict[str, str]) -> None:
    text = departures_text(times)
    assert departures(text) == (times or "")
    days = [part.split()[0] for part in text.split(", ")] if text else []
    assert days == [day for day in WEEKDAYS if day in times]


@given(
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(9000, 1, 1)),
    st.sampled_from(["Australia/Perth", "Australia/Brisbane", "UTC"]),
)
def test_a_departure_typed_in_the_sites_zone_shows_again_as_typed(
    moment: datetime, timezone: str
) -> None:
    """In zones without daylight saving every local minute is one instant."""
    typed = moment.strftime("%Y-%m-%dT%H:%M")
    stored = local_moment(typed, timezone, "departure_at")
    assert stored is not None and local_input(stored.astimezone(UTC), timezone) == typed
