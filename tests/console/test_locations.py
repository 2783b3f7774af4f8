"""The operator's location pages: list, search, a host's locations, create and edit."""

from sqlalchemy import Engine, func, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import AuditEvent, Location
from tests import factories
from tests.admin.helpers import ADMIN, account
from tests.console.conftest import Console
from tests.console.operator import field_error, field_value, forged, location, send, text_of


def test_creating_and_editing_a_location(console: Console, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        host = factories.organisation(db, "Coastline")
        other = factories.organisation(db, "Harbour")
    console.sign_in("admin")
    form = console.client.get(f"/network/locations/new?organisation={host.uuid}")
    assert form.status_code == 200
    assert f'<option value="{host.uuid}" selected>' in form.text
    fields = {
        "name": "<script>x()</script> Depot",
        "address": "1 Dock Rd, Port Melbourne VIC 3207",
        "timezone": "Australia/Melbourne",
        "host_organisation_uuid": str(host.uuid),
    }
    assert forged(console, "/network/locations/new", fields).status_code == 403
    bad = send(console, "/network/locations/new", {**fields, "timezone": "Melbourne"})
    assert bad.status_code == 400 and "IANA time zone" in field_error(bad.text, "timezone")
    assert field_value(bad.text, "address") == "1 Dock Rd, Port Melbourne VIC 3207"
    no_host = send(console, "/network/locations/new", {**fields, "host_organisation_uuid": ""})
    assert no_host.status_code == 400 and field_error(no_host.text, "host_organisation_uuid")
    with unit_of_work(engine) as db:
        assert db.scalar(select(func.count()).select_from(Location)) == 0

    listed = console.client.get(location(send(console, "/network/locations/new", fields)))
    assert "Location created" in listed.text
    assert "<script>x()</script>" not in listed.text
    assert "&lt;script&gt;x()&lt;/script&gt; Depot" in text_of(listed.text)
    with unit_of_work(engine) as db:
        depot = db.scalars(select(Location)).one()
    edit = f"/network/locations/{depot.uuid}/edit"
    assert f'href="{edit}"' in listed.text

    page = console.client.get(edit)
    assert field_value(page.text, "timezone") == "Australia/Melbourne"
    change = {**fields, "name": "Depot", "timezone": "Australia/Perth", "version": "1"}
    change["host_organisation_uuid"] = str(other.uuid)
    after = console.client.get(location(send(console, edit, change)))
    assert "Location saved" in after.text and "Harbour" in after.text
    admin = account(engine, "admin")
    view = console.client.get(f"{ADMIN}/locations/{depot.uuid}", headers=admin.headers).json()
    assert (view["name"], view["timezone"]) == ("Depot", "Australia/Perth")
    assert view["host_organisation_uuid"] == str(other.uuid)
    with unit_of_work(engine) as db:
        actions = db.scalars(
            select(AuditEvent.action).where(AuditEvent.resource_uuid == depot.uuid)
        ).all()
        assert sorted(actions) == ["create", "update"]

    console.sign_in("support")
    assert console.client.get(edit).status_code == 403
    assert send(console, edit, change).status_code == 403
    assert 'href="/network/locations/new' not in console.client.get("/network/locations").text


def test_the_list_searches_and_filters_by_host(console: Console, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        coastline = factories.organisation(db, "Coastline")
        harbour = factories.organisation(db, "Harbour")
        quay = factories.site(db, coastline).location
        quay.name = "Quay carpark"
        pier = factories.site(db, harbour).location
        pier.name = "Pier garage"
    console.sign_in("billing")
    every = console.client.get("/network/locations")
    assert "Quay carpark" in every.text and "Pier garage" in every.text
    hosted = console.client.get(f"/network/locations?organisation={harbour.uuid}")
    assert "Locations hosted by Harbour" in hosted.text
    assert "Pier garage" in hosted.text and "Quay carpark" not in hosted.text
    found = console.client.get("/network/locations", params={"q": "quay"})
    assert "Quay carpark" in found.text and "Pier garage" not in found.text
    assert f'href="/network/stations?location={quay.uuid}"' in found.text
    assert console.client.get("/network/locations?organisation=nope").status_code == 400
    console.sign_in("fleet_manager", coastline)
    assert console.client.get("/network/locations").status_code == 404
