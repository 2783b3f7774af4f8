"""Setting stations up in the console: list and filters, create with connectors and
tariff, edit, approve a pending station, set or generate its password."""

import re

import pytest
from sqlalchemy import Engine, func, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import Station
from fleetcharge.models.location import Registration
from fleetcharge.network.password_hashing import verify_password
from fleetcharge.network.stations import register_pending
from tests import factories
from tests.admin.helpers import ADMIN, account
from tests.console.conftest import BrowserPage, Console
from tests.console.operator import field_error, field_value, forged, location, send, text_of


def _stations(engine: Engine) -> int:
    with unit_of_work(engine) as db:
        return db.scalar(select(func.count()).select_from(Station)) or 0


def test_creating_and_editing_a_station(console: Console, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        host = factories.organisation(db, "Coastline")
        site = factories.site(db, host)
        other_tariff = factories.tariff(db)
    console.sign_in("admin")
    form = console.client.get(f"/network/stations/new?location={site.location.uuid}")
    assert form.status_code == 200
    assert f'<option value="{site.location.uuid}" selected>' in form.text
    fields = {
        "identity": "DEPOT-01",
        "evse_id": "AU*FCN*E0001",
        "name": "Depot <b>bay</b> 1",
        "location_uuid": str(site.location.uuid),
        "tariff_uuid": str(site.tariff.uuid),
        "current_type": "DC",
        "max_power_kw": "50",
        "connectors": "1=CCS2\n2=CHAdeMO",
    }
    before = _stations(engine)
    assert forged(console, "/network/stations/new", fields).status_code == 403
    for wrong, field in (
        ({"connectors": "CCS2"}, "connectors"),
        ({"connectors": "1=CCS2\n1=Type 2"}, "connectors"),
        ({"identity": "DEPOT 01"}, "identity"),
        ({"max_power_kw": "0.5"}, "max_power_kw"),
        ({"current_type": "XC"}, "current_type"),
        ({"identity": site.station.ocpp_identity}, "identity"),  # taken
    ):
        bad = send(console, "/network/stations/new", {**fields, **wrong})
        assert bad.status_code in (400, 409), (wrong, bad.status_code)
        assert field_error(bad.text, field), wrong
        assert field_value(bad.text, "evse_id") == "AU*FCN*E0001"
    assert _stations(engine) == before

    edit = location(send(console, "/network/stations/new", fields))
    page = console.client.get(edit)
    assert "Station DEPOT-01 created" in page.text
    assert "Depot <b>bay</b> 1" not in page.text and "Depot &lt;b&gt;bay&lt;/b&gt; 1" in page.text
    uuid = edit.split("/")[3]
    assert f'href="/network/stations/{uuid}"' in page.text  # its live page
    admin = account(engine, "admin")
    view = console.client.get(f"{ADMIN}/stations/{uuid}", headers=admin.headers).json()
    assert view["connectors"] == [
        {"connector_id": 1, "name": "CCS2"},
        {"connector_id": 2, "name": "CHAdeMO"},
    ]
    assert (view["current_type"], view["max_power_kw"]) == ("DC", "50.0")
    assert view["tariff_uuid"] == str(site.tariff.uuid)

    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version is not None
    change = {
        "version": version.group(1),
        "name": "Depot bay 1",
        "location_uuid": str(site.location.uuid),
        "tariff_uuid": str(other_tariff.uuid),
        "current_type": "DC",
        "max_power_kw": "75",
        "connectors": "1=CCS2",
    }
    saved = console.client.get(location(send(console, f"/network/stations/{uuid}/edit", change)))
    assert "Station DEPOT-01 saved" in saved.text
    view = console.client.get(f"{ADMIN}/stations/{uuid}", headers=admin.headers).json()
    assert view["tariff_uuid"] == str(other_tariff.uuid) and view["max_power_kw"] == "75.0"
    assert view["connectors"] == [{"connector_id": 1, "name": "CCS2"}]
    unpriced = send(
        console,
        f"/network/stations/{uuid}/edit",
        {**change, "version": "", "tariff_uuid": ""},
    )
    location(unpriced)
    view = console.client.get(f"{ADMIN}/stations/{uuid}", headers=admin.headers).json()
    assert view["tariff_uuid"] is None

    console.sign_in("support")  # reads stations, changes none
    listed = console.client.get("/network/stations")
    assert "DEPOT-01" in listed.text and "/edit" not in listed.text
    assert 'href="/network/stations/new"' not in listed.text
    assert console.client.get(f"/network/stations/{uuid}/edit").status_code == 403
    assert send(console, f"/network/stations/{uuid}/edit", change).status_code == 403


def test_the_list_filters_and_a_pending_station_is_approved(
    console: Console, engine: Engine
) -> None:
    with unit_of_work(engine) as db:
        host = factories.organisation(db, "Coastline")
        site = factories.site(db, host)
        other_site = factories.site(db, host)
        pending = register_pending(db, site.location, "NEWBIE-7", None)
    console.sign_in("admin")
    every = console.client.get("/network/stations")
    assert "3 stations" in every.text
    waiting = console.client.get("/network/stations?status=pending")
    assert "NEWBIE-7" in waiting.text and site.station.ocpp_identity not in text_of(waiting.text)
    assert "1 station" in waiting.text
    at = console.client.get(f"/network/stations?location={other_site.location.uuid}")
    assert other_site.station.ocpp_identity in at.text and "NEWBIE-7" not in at.text
    found = console.client.get("/network/stations", params={"q": "newbie"})
    assert "NEWBIE-7" in found.text and "1 station" in found.text
    assert console.client.get("/network/stations?status=lost").status_code == 400

    edit = f"/network/stations/{pending.uuid}/edit"
    page = console.client.get(edit)
    assert f'action="/network/stations/{pending.uuid}/approve"' in page.text
    assert "data-confirm=" in page.text
    assert forged(console, f"/network/stations/{pending.uuid}/approve").status_code == 403
    console.sign_in("support")
    assert send(console, f"/network/stations/{pending.uuid}/approve").status_code == 403
    console.sign_in("admin")
    approved = location(send(console, f"/network/stations/{pending.uuid}/approve"))
    page = console.client.get(approved)
    assert "Station NEWBIE-7 approved" in page.text
    assert "/approve" not in page.text
    with unit_of_work(engine) as db:
        assert db.get_one(Station, pending.id).registration_status == Registration.ACCEPTED


def test_a_station_password_is_set_or_generated_and_shown_once(
    console: Console, engine: Engine
) -> None:
    with unit_of_work(engine) as db:
        host = factories.organisation(db, "Coastline")
        station = factories.site(db, host).station
    path = f"/network/stations/{station.uuid}/password"
    console.sign_in("admin")
    assert forged(console, path).status_code == 403
    short = send(console, path, {"password": "short"})
    assert short.status_code == 400 and "8 to 40" in field_error(short.text, "password")
    with unit_of_work(engine) as db:
        unchanged = db.get_one(Station, station.id).password_hash
    assert unchanged is not None and verify_password(factories.STATION_PASSWORD, unchanged)

    generated = send(console, path, {"password": ""})
    assert generated.status_code == 200
    assert generated.headers["cache-control"] == "no-store"
    shown = re.search(r'<output class="secret"[^>]*>([^<]+)</output>', generated.text)
    assert shown is not None
    with unit_of_work(engine) as db:
        stored = db.get_one(Station, station.id).password_hash
    assert stored is not None and shown.group(1) not in stored
    assert verify_password(shown.group(1), stored)
    assert shown.group(1) not in console.client.get(f"/network/stations/{station.uuid}/edit").text

    typed = location(send(console, path, {"password": "correct horse battery"}))
    assert "must send it from its next connection" in console.client.get(typed).text
    with unit_of_work(engine) as db:
        stored = db.get_one(Station, station.id).password_hash
    assert stored is not None and verify_password("correct horse battery", stored)
    console.sign_in("support")
    assert send(console, path, {"password": ""}).status_code == 403


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_setting_a_station_up_in_a_browser(
    browser: BrowserPage, console: Console, engine: Engine
) -> None:
    with unit_of_work(engine) as db:
        site = factories.site(db, factories.organisation(db, "Coastline"))
    console.sign_in("admin")
    page = browser.page
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmation
    browser.open(f"/network/stations/new?location={site.location.uuid}")
    page.locator("#f-identity").fill("DEPOT-02")
    page.locator("#f-evse_id").fill("AU*FCN*E0002")
    page.locator("#f-name").fill("Depot bay 2")
    page.locator("#f-tariff_uuid").select_option(str(site.tariff.uuid))
    page.locator("#f-connectors").fill("1=Type 2\n2=CCS2")
    page.get_by_role("button", name="Create station").click()
    page.wait_for_url("**/edit?done=created")
    browser.screenshot("station")
    page.get_by_role("button", name="Set password").click()
    secret = page.locator("output.secret").inner_text()
    browser.screenshot("password")
    with unit_of_work(engine) as db:
        station = db.scalars(select(Station).where(Station.ocpp_identity == "DEPOT-02")).one()
        assert [c.name for c in station.connectors] == ["Type 2", "CCS2"]
        assert station.password_hash is not None
        assert verify_password(secret, station.password_hash)
    browser.assert_no_errors()
