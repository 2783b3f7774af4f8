"""The operator's organisation pages: list and search, create, edit with billing settings
and invoice details, and the organisation's fleets."""

from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import AuditEvent, Fleet, Organisation
from tests import factories
from tests.admin.helpers import ADMIN, account
from tests.console.conftest import BrowserPage, Console
from tests.console.operator import (
    field_error,
    field_value,
    forged,
    location,
    send,
    text_of,
    uuid_in,
)


def _count(engine: Engine, model: type) -> int:
    with unit_of_work(engine) as db:
        return db.scalar(select(func.count()).select_from(model)) or 0


def test_the_list_searches_and_pages(console: Console, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        acme = factories.organisation(db, "Acme Logistics")
        for n in range(52):
            factories.organisation(db, f"Zed {n:02d}")
    console.sign_in("support")
    first = console.client.get("/network/organisations")
    assert first.status_code == 200
    assert "53 organisations" in first.text
    assert first.text.count('href="/network/organisations/') == 50 + first.text.count(
        'href="/network/organisations/new"'
    )
    next_url = first.text.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = console.client.get(next_url.replace("&amp;", "&"))
    assert second.status_code == 200
    assert "Zed 51" in second.text and "Zed 51" not in first.text
    assert 'rel="next"' not in second.text
    found = console.client.get("/network/organisations", params={"q": "acme"})
    assert f'href="/network/organisations/{acme.uuid}"' in found.text
    assert "Zed 00" not in found.text
    # Support reads, never creates: no button.
    assert 'href="/network/organisations/new"' not in first.text
    # Bad parameters are the parameter's error, never a 500.
    assert console.client.get("/network/organisations?cursor=nonsense").status_code == 400
    assert console.client.get("/network/organisations", params={"q": "a\x00"}).status_code == 400


def test_organisation_members_do_not_see_the_operator_pages(
    console: Console, engine: Engine
) -> None:
    with unit_of_work(engine) as db:
        mine = factories.organisation(db, "Mine")
        factories.fleet(db, mine)
        other = factories.organisation(db, "Other")
    console.sign_in("fleet_manager", mine)
    for path in ("/network/organisations", f"/network/organisations/{other.uuid}"):
        assert console.client.get(path).status_code == 404
    assert console.client.get(f"/network/organisations/{mine.uuid}").status_code == 404


def test_creating_an_organisation(console: Console, engine: Engine) -> None:
    console.sign_in("admin")
    form = console.client.get("/network/organisations/new")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text
    fields = {
        "name": "<script>alert(1)</script> Haulage",
        "abn": "51 824 753 556",
        "billing_timezone": "Australia/Perth",
        "vehicle_fee": "5.50",
        "contact_email": "accounts@haulage.example",
    }
    before = _count(engine, Organisation)
    assert forged(console, "/network/organisations/new", fields).status_code == 403

    bad = send(console, "/network/organisations/new", {**fields, "abn": "12 345 678 901"})
    assert bad.status_code == 400
    assert "not a valid ABN" in field_error(bad.text, "abn")
    assert field_value(bad.text, "contact_email") == "accounts@haulage.example"  # kept
    bad_fee = send(console, "/network/organisations/new", {**fields, "vehicle_fee": "five"})
    assert bad_fee.status_code == 400 and field_error(bad_fee.text, "vehicle_fee")
    assert _count(engine, Organisation) == before

    where = location(send(console, "/network/organisations/new", fields))
    assert where.endswith("?done=created")
    page = console.client.get(where)
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Haulage created" in text_of(page.text)

    admin = account(engine, "admin")
    shown = console.client.get(f"{ADMIN}/organisations/{uuid_in(where)}", headers=admin.headers)
    assert shown.json()["billing_timezone"] == "Australia/Perth"
    assert Decimal(shown.json()["vehicle_fee"]) == Decimal("5.50")
    assert shown.json()["abn"] == "51824753556"

    taken = send(console, "/network/organisations/new", fields)
    assert taken.status_code == 409 and "already named" in field_error(taken.text, "name")

    console.sign_in("support")
    assert console.client.get("/network/organisations/new").status_code == 403
    assert send(console, "/network/organisations/new", {"name": "Nope"}).status_code == 403
    assert _count(engine, Organisation) == before + 1


def test_editing_billing_settings_and_invoice_details(console: Console, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        organisation = factories.organisation(db, "Acme Logistics")
        organisation.address = "1 Old Rd"
    path = f"/network/organisations/{organisation.uuid}/edit"
    console.sign_in("billing")  # billing staff change billing settings
    form = console.client.get(path)
    assert form.status_code == 200
    assert field_value(form.text, "abn") == "51 824 753 556"
    version = form.text.split('name="version" value="')[1].split('"')[0]
    change = {
        "version": version,
        "name": "Acme Logistics",
        "billing_timezone": "Australia/Brisbane",
        "vehicle_fee": "6.60",
        "station_subscription_fee": "",
        "network_fee_per_kwh": "0.1750",
        "abn": "51 824 753 556",
        "address": "",
        "contact_name": "Accounts",
        "contact_email": "",
        "contact_phone": "",
        "rate_limits": "usage=100/hour\ninvoices=off",
    }
    bad = send(console, path, {**change, "billing_timezone": "Mars/Olympus"})
    assert bad.status_code == 400 and "IANA time zone" in field_error(bad.text, "billing_timezone")
    for limits in ("usage=lots", "payments=off", "usage"):
        wrong = send(console, path, {**change, "rate_limits": limits})
        assert wrong.status_code == 400 and field_error(wrong.text, "rate_limits"), limits
    where = location(send(console, path, change))
    assert "Acme Logistics saved" in console.client.get(where).text

    admin = account(engine, "admin")
    view = console.client.get(
        f"{ADMIN}/organisations/{organisation.uuid}", headers=admin.headers
    ).json()
    assert view["billing_timezone"] == "Australia/Brisbane"
    assert Decimal(view["vehicle_fee"]) == Decimal("6.60")
    assert Decimal(view["network_fee_per_kwh"]) == Decimal("0.1750")
    assert Decimal(view["station_subscription_fee"]) == Decimal(0)  # empty: left as it was
    assert view["address"] is None and view["contact_name"] == "Accounts"  # cleared, set
    assert view["rate_limits"] == {"usage": "100/hour", "invoices": "off"}
    with unit_of_work(engine) as db:
        events = db.scalars(
            select(AuditEvent).where(AuditEvent.resource_uuid == organisation.uuid)
        ).all()
        assert [(e.action, e.actor_role) for e in events] == [("update", "billing")]

    # The form as it was shown before that change is refused, not applied over it.
    stale = send(console, path, {**change, "contact_name": "Someone else"})
    assert stale.status_code == 412
    # The limits listed are the whole set: one left out is the network's again.
    fresh = {**change, "version": "", "rate_limits": "usage=100/hour"}
    location(send(console, path, fresh))
    view = console.client.get(
        f"{ADMIN}/organisations/{organisation.uuid}", headers=admin.headers
    ).json()
    assert view["rate_limits"] == {"usage": "100/hour"}
    console.sign_in("support")
    assert console.client.get(path).status_code == 403
    page = console.client.get(f"/network/organisations/{organisation.uuid}")
    assert f'href="{path}"' not in page.text


def test_invoice_billing_details_in_the_form(console: Console, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        organisation = factories.organisation(db, "Cybertron")
    path = f"/network/organisations/{organisation.uuid}/edit"
    console.sign_in("billing")
    form = console.client.get(path)
    assert field_value(form.text, "payment_terms_days") == "14"
    change = {
        "name": "Cybertron",
        "abn": "51 824 753 556",
        "legal_name": "Cybertron Logistics Pty Ltd",
        "billing_emails": "ap@cybertron.example, cfo@cybertron.example",
        "purchase_order": "PO-4471",
        "payment_terms_days": "30",
        "rate_limits": "",
    }
    bad = send(console, path, {**change, "billing_emails": "ap@cybertron.example nobody"})
    assert bad.status_code == 400
    assert "billing_emails[1] must be an email address" in field_error(bad.text, "billing_emails")
    late = send(console, path, {**change, "payment_terms_days": "400"})
    assert late.status_code == 400 and field_error(late.text, "payment_terms_days")
    assert send(console, path, {**change, "payment_terms_days": "x"}).status_code == 400

    page = console.client.get(location(send(console, path, change))).text
    for shown in (
        "Cybertron Logistics Pty Ltd",
        "ap@cybertron.example, cfo@cybertron.example",
        "PO-4471",
        "30 days",
    ):
        assert shown in page, shown
    again = console.client.get(path).text
    assert field_value(again, "billing_emails") == "ap@cybertron.example, cfo@cybertron.example"
    assert field_value(again, "payment_terms_days") == "30"


def test_an_organisations_fleets(console: Console, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        acme = factories.organisation(db, "Acme")
        vans = factories.fleet(db, acme, "Vans")
        other = factories.organisation(db, "Other")
        theirs = factories.fleet(db, other, "Trucks")
    base = f"/network/organisations/{acme.uuid}"
    console.sign_in("admin")
    page = console.client.get(base)
    assert page.status_code == 200 and "Vans" in page.text
    assert forged(console, f"{base}/fleets", {"name": "Utes"}).status_code == 403

    added = location(send(console, f"{base}/fleets", {"name": "Utes"}))
    assert "Acme has a new fleet" in console.client.get(added).text
    duplicate = send(console, f"{base}/fleets", {"name": "Vans"})
    assert duplicate.status_code == 409 and "already has a fleet" in field_error(
        duplicate.text, "name"
    )
    renamed = send(console, f"{base}/fleets/{vans.uuid}", {"name": "Big vans", "version": ""})
    assert "Acme fleet renamed" in console.client.get(location(renamed)).text
    # Another organisation's fleet is not found under this one.
    assert send(console, f"{base}/fleets/{theirs.uuid}", {"name": "Mine"}).status_code == 404
    with unit_of_work(engine) as db:
        names = db.scalars(select(Fleet.name).where(Fleet.organisation_id == acme.id)).all()
        assert sorted(names) == ["Big vans", "Utes"]
        assert db.get_one(Fleet, theirs.id).name == "Trucks"

    console.sign_in("billing")  # reads fleets, does not change them
    page = console.client.get(base)
    assert f'action="{base}/fleets"' not in page.text
    assert send(console, f"{base}/fleets", {"name": "Sneaky"}).status_code == 403


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_creating_and_editing_an_organisation_in_a_browser(
    browser: BrowserPage, console: Console
) -> None:
    console.sign_in("admin")
    page = browser.page
    browser.open("/network/organisations/new")
    page.locator("#f-name").fill("Coastline Property Group")
    page.get_by_label("Billing time zone").fill("Australia/Melbourne")
    page.get_by_label("ABN").fill("51 824 753 557")  # a checksum away from valid
    page.get_by_role("button", name="Create organisation").click()
    assert "not a valid ABN" in page.locator("#e-abn").inner_text()
    browser.screenshot("organisation-form-error")
    # The form comes back with 400, which the browser logs; nothing else may be.
    assert [error for error in browser.errors if "status of 400" not in error] == []
    browser.errors.clear()
    page.get_by_label("ABN").fill("51 824 753 556")
    page.get_by_role("button", name="Create organisation").click()
    page.wait_for_url("**/network/organisations/*?done=created")
    assert "Coastline Property Group created" in page.locator(".notice").inner_text()
    page.get_by_role("button", name="Add fleet").wait_for()
    page.locator("#f-name").fill("Site vans")
    page.get_by_role("button", name="Add fleet").click()
    page.wait_for_url("**?done=fleet_added")
    assert page.get_by_label("New name for Site vans").input_value() == "Site vans"
    browser.screenshot("organisation")
    browser.assert_no_errors()
