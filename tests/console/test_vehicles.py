"""A fleet's vehicles in the console: the list, adding one, changing and retiring it; each
change visible afterwards on the admin API, another organisation's vehicle not found."""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

import pytest
from sqlalchemy import Engine, func, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import AuditEvent, Organisation, Vehicle
from tests import factories as f
from tests.admin.helpers import ADMIN, Caller, account, ok
from tests.console.conftest import BrowserPage, Console
from tests.console.forms import field_error, field_value, hidden, landed, send

VIN = "1HGBH41JXMN109186"


@dataclass(frozen=True)
class Fleets:
    home: Organisation
    other: Organisation
    vans: str  # fleet uuids
    utes: str
    others_fleet: str
    active: str  # vehicle uuids
    retired: str
    others: str
    admin: Caller


@pytest.fixture
def fleets(engine: Engine) -> Fleets:
    with unit_of_work(engine) as db:
        home, other = f.organisation(db, "Home Fleet"), f.organisation(db, "Other Fleet")
        vans, utes, theirs = (
            f.fleet(db, home, "Vans"),
            f.fleet(db, home, "Utes"),
            f.fleet(db, other),
        )
        active = f.vehicle(db, vans)
        retired = f.vehicle(db, vans, effective_to=date(2024, 6, 30))
        others = f.vehicle(db, theirs)
        vans_uuid, utes_uuid, theirs_uuid = str(vans.uuid), str(utes.uuid), str(theirs.uuid)
        vehicles = str(active.uuid), str(retired.uuid), str(others.uuid)
    admin = account(engine)
    return Fleets(home, other, vans_uuid, utes_uuid, theirs_uuid, *vehicles, admin=admin)


def _vehicle(console: Console, fleets: Fleets, uuid: str) -> dict[str, object]:
    response = console.client.get(f"{ADMIN}/vehicles/{uuid}", headers=fleets.admin.headers)
    return dict(ok(response))


def _registrations(page: str) -> set[str]:
    return set(re.findall(r'href="/fleet/vehicles/[0-9a-f-]{36}">([^<]+)</a>', page))


def test_the_list_shows_the_organisations_vehicles_with_search_and_status(
    console: Console, engine: Engine, fleets: Fleets
) -> None:
    console.sign_in("fleet_manager", fleets.home)
    with unit_of_work(engine) as db:
        regs = {
            str(v.uuid): v.registration_number
            for v in db.scalars(select(Vehicle).where(Vehicle.organisation_id == fleets.home.id))
        }
    page = console.client.get("/fleet/vehicles")
    assert page.status_code == 200
    assert _registrations(page.text) == set(regs.values())  # not the other organisation's
    assert page.text.count('class="retired"') == 1
    assert 'href="/fleet/vehicles/new"' in page.text
    retired = console.client.get("/fleet/vehicles?status=retired").text
    assert _registrations(retired) == {regs[fleets.retired]}
    searched = console.client.get(f"/fleet/vehicles?q={regs[fleets.active].lower()}").text
    assert _registrations(searched) == {regs[fleets.active]}
    bad = console.client.get("/fleet/vehicles?status=gone")
    assert bad.status_code == 400 and "status must be one of active, retired" in bad.text
    assert console.client.get("/fleet/vehicles?cursor=nonsense").status_code == 400


def test_the_list_pages_by_cursor(console: Console, engine: Engine, fleets: Fleets) -> None:
    with unit_of_work(engine) as db:
        vans = db.scalars(select(Vehicle).where(Vehicle.uuid == UUID(fleets.active))).one().fleet
        for _ in range(50):
            f.vehicle(db, vans, id_tags=())
    console.sign_in("fleet_manager", fleets.home)
    first = console.client.get("/fleet/vehicles?status=active").text
    assert "51 vehicles" in first
    next_path = re.search(r'<a href="([^"]+)" rel="next">', first)
    assert next_path, "no next page"
    second = console.client.get(next_path.group(1).replace("&amp;", "&")).text
    assert len(_registrations(first)) == 50 and len(_registrations(second)) == 1
    assert not _registrations(first) & _registrations(second)
    assert 'rel="next"' not in second and "First page" in second


def test_adding_a_vehicle(console: Console, engine: Engine, fleets: Fleets) -> None:
    console.sign_in("fleet_manager", fleets.home)
    form = console.client.get("/fleet/vehicles/new").text
    options = set(re.findall(r'<option value="([0-9a-f-]{36})"', form))
    assert options == {fleets.vans, fleets.utes}
    fields = {
        "fleet_uuid": fleets.utes,
        "vin": VIN,
        "registration_number": "1ABC234",
        "contract_number": "C-77",
        "effective_from": "2026-01-01",
        "max_ac_power_kw": "11",
        "max_dc_power_kw": "",
    }
    with unit_of_work(engine) as db:
        before = db.scalar(select(func.count()).select_from(Vehicle))

    refused = send(console, "/fleet/vehicles/new", fields, csrf=False)
    assert refused.status_code == 403
    bad_vin = send(console, "/fleet/vehicles/new", {**fields, "vin": "1HGBH41JXMN10918O"})
    assert bad_vin.status_code == 400
    assert "vin must be 17 letters and digits" in (field_error(bad_vin.text, "vin") or "")
    assert field_value(bad_vin.text, "registration_number") == "1ABC234"  # the input is kept
    theirs = send(console, "/fleet/vehicles/new", {**fields, "fleet_uuid": fleets.others_fleet})
    assert theirs.status_code == 400 and field_error(theirs.text, "fleet_uuid")
    bad_power = send(console, "/fleet/vehicles/new", {**fields, "max_ac_power_kw": "eleven"})
    assert bad_power.status_code == 400
    assert "valid decimal" in (field_error(bad_power.text, "max_ac_power_kw") or "")
    bad_day = send(console, "/fleet/vehicles/new", {**fields, "effective_from": "2026-02-30"})
    assert bad_day.status_code == 400 and field_error(bad_day.text, "effective_from")
    with unit_of_work(engine) as db:
        assert db.scalar(select(func.count()).select_from(Vehicle)) == before

    added = landed(send(console, "/fleet/vehicles/new", fields), "/fleet/vehicles/")
    assert added.endswith("?done=added")
    page = console.client.get(added).text
    assert "Vehicle 1ABC234 added." in page
    uuid = added.split("/")[-1].split("?")[0]
    view = _vehicle(console, fleets, uuid)
    assert {k: view[k] for k in ("vin", "registration_number", "contract_number")} == {
        "vin": VIN,
        "registration_number": "1ABC234",
        "contract_number": "C-77",
    }
    assert view["fleet"] == {"uuid": fleets.utes, "name": "Utes"}
    assert (view["effective_from"], view["max_ac_power_kw"], view["max_dc_power_kw"]) == (
        "2026-01-01",
        "11.0",
        None,
    )
    again = send(console, "/fleet/vehicles/new", {**fields, "registration_number": "2ABC234"})
    assert again.status_code == 400
    assert "already has VIN" in (field_error(again.text, "vin") or "")
    with unit_of_work(engine) as db:
        query = select(AuditEvent).where(AuditEvent.resource_uuid == UUID(uuid))
        audited = db.scalars(query).one()
        assert (audited.action, audited.actor_name) == ("create", "fleet_manager tester")


def test_changing_and_retiring_a_vehicle(console: Console, engine: Engine, fleets: Fleets) -> None:
    console.sign_in("fleet_manager", fleets.home)
    path = f"/fleet/vehicles/{fleets.active}"
    page = console.client.get(path).text
    version = hidden(page, "version")
    change = {
        "registration_number": "NEW 123",
        "contract_number": "",
        "max_ac_power_kw": "7.4",
        "max_dc_power_kw": "",
        "version": version,
    }
    blank = send(console, path, {**change, "registration_number": " "})
    assert blank.status_code == 400 and field_error(blank.text, "registration_number")
    landed(send(console, path, change), f"{path}?done=changed")
    view = _vehicle(console, fleets, fleets.active)
    assert (view["registration_number"], view["contract_number"], view["max_ac_power_kw"]) == (
        "NEW 123",
        None,
        "7.4",
    )
    # The form was made from the version before that change: it would overwrite it unseen.
    stale = send(console, path, {**change, "registration_number": "OLD 1"})
    assert stale.status_code == 400 and "Someone else changed this" in stale.text
    assert field_value(stale.text, "registration_number") == "OLD 1"
    assert _vehicle(console, fleets, fleets.active)["registration_number"] == "NEW 123"

    current = hidden(console.client.get(path).text, "version")
    too_early = send(console, f"{path}/retire", {"effective_to": "2022-12-31", "version": current})
    assert too_early.status_code == 400
    assert "before its effective_from" in (field_error(too_early.text, "effective_to") or "")
    yesterday = (date.today() - timedelta(days=2)).isoformat()
    retired = send(console, f"{path}/retire", {"effective_to": yesterday, "version": current})
    landed(retired, f"{path}?done=retired")
    view = _vehicle(console, fleets, fleets.active)
    assert (view["effective_to"], view["status"]) == (yesterday, "retired")
    page = console.client.get(f"{path}?done=retired").text
    assert "Vehicle NEW 123 retired." in page
    assert 'class="badge status-retired"' in page and f"{path}/retire" not in page


def test_another_organisations_vehicle_is_not_found(
    console: Console, engine: Engine, fleets: Fleets
) -> None:
    console.sign_in("fleet_manager", fleets.home)
    path = f"/fleet/vehicles/{fleets.others}"
    assert console.client.get(path).status_code == 404
    change = {"registration_number": "MINE", "version": ""}
    assert send(console, path, change).status_code == 404
    assert send(console, f"{path}/retire", {"effective_to": ""}).status_code == 404
    view = _vehicle(console, fleets, fleets.others)
    assert view["registration_number"] != "MINE" and view["effective_to"] is None
    # An operator, or an organisation without fleets, has no fleet pages at all.
    console.sign_in("admin")
    assert console.client.get("/fleet/vehicles").status_code == 404


def test_a_member_who_may_only_read_sees_no_forms_and_is_refused(
    console: Console, engine: Engine, fleets: Fleets
) -> None:
    console.sign_in("read_only", fleets.home)
    listed = console.client.get("/fleet/vehicles")
    assert listed.status_code == 200 and 'href="/fleet/vehicles/new"' not in listed.text
    path = f"/fleet/vehicles/{fleets.active}"
    page = console.client.get(path).text
    assert '<form method="post" action="/fleet/vehicles/' not in page
    assert console.client.get("/fleet/vehicles/new").status_code == 403
    refused = send(console, path, {"registration_number": "NOPE", "version": ""})
    assert refused.status_code == 403
    assert send(console, f"{path}/retire", {"effective_to": ""}).status_code == 403
    assert _vehicle(console, fleets, fleets.active)["registration_number"] != "NOPE"
    assert _vehicle(console, fleets, fleets.active)["effective_to"] is None


def test_a_registration_with_markup_is_shown_as_text(
    console: Console, engine: Engine, fleets: Fleets
) -> None:
    console.sign_in("fleet_manager", fleets.home)
    path = f"/fleet/vehicles/{fleets.active}"
    version = hidden(console.client.get(path).text, "version")
    change = {"registration_number": "<script>x</script>", "version": version}
    landed(send(console, path, change), path)
    for page in (console.client.get(path).text, console.client.get("/fleet/vehicles").text):
        assert "<script>x</script>" not in page
        assert "&lt;script&gt;x&lt;/script&gt;" in page


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_adding_and_retiring_a_vehicle_in_a_browser(browser: BrowserPage, fleets: Fleets) -> None:
    browser.console.sign_in("fleet_manager", fleets.home)
    browser.open("/fleet/vehicles")
    browser.page.get_by_role("link", name="Add a vehicle").click()
    browser.page.get_by_label("Fleet").select_option(label="Utes")
    browser.page.get_by_label("VIN").fill(VIN)
    browser.page.get_by_label("Registration").fill("1ABC234")
    browser.page.get_by_role("button", name="Add the vehicle").click()
    browser.page.wait_for_url("**/fleet/vehicles/*?done=added")
    assert browser.page.get_by_role("status").inner_text() == "Vehicle 1ABC234 added."
    browser.screenshot("vehicle added")
    browser.page.once("dialog", lambda dialog: dialog.accept())
    browser.page.get_by_role("button", name="Retire the vehicle").click()
    browser.page.wait_for_url("**?done=retired")
    assert browser.page.get_by_role("status").inner_text() == "Vehicle 1ABC234 retired."
    browser.screenshot("vehicle retired")
    browser.assert_no_errors()
