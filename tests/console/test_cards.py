"""A fleet's cards in the console: the list, adding one to a vehicle, assigning, expiry, and
blocking a lost card, which the station's next OCPP Authorize then refuses."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

import httpx
import pytest
from playwright.sync_api import Dialog
from sqlalchemy import Engine, func, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import Card, Organisation
from tests import factories as f
from tests.admin.helpers import ADMIN, Caller, account, ok
from tests.console.conftest import BrowserPage, Console
from tests.console.forms import field_error, field_value, hidden, landed, send
from tests.csms.helpers import FakeClock, connected


@dataclass(frozen=True)
class Cards:
    home: Organisation
    tag: str  # on vehicle `registration`
    card: str  # its uuid
    registration: str
    vin: str
    spare_vehicle: str  # registration of another of home's vehicles, without cards
    others_card: str
    others_vin: str
    station: str  # an OCPP identity
    admin: Caller


@pytest.fixture
def cards(engine: Engine) -> Cards:
    with unit_of_work(engine) as db:
        home, other = f.organisation(db, "Home Fleet"), f.organisation(db, "Other Fleet")
        vans = f.fleet(db, home, "Vans")
        vehicle = f.vehicle(db, vans, id_tags=("04A2B3C4D5E6F7",))
        spare = f.vehicle(db, vans, id_tags=())
        f.vehicle(db, vans, id_tags=("BLOCKED-ALREADY",)).cards[0].status = "blocked"
        theirs = f.vehicle(db, f.fleet(db, other), id_tags=("THEIRS-1",))
        station = f.site(db, f.organisation(db, "Host")).station
        found = (
            home,
            "04A2B3C4D5E6F7",
            str(vehicle.cards[0].uuid),
            vehicle.registration_number,
            vehicle.vin,
            spare.registration_number,
            str(theirs.cards[0].uuid),
            theirs.vin,
            station.ocpp_identity,
        )
    return Cards(*found, admin=account(engine))


def _card(console: Console, cards: Cards, uuid: str) -> dict[str, object]:
    return dict(ok(console.client.get(f"{ADMIN}/cards/{uuid}", headers=cards.admin.headers)))


def _tags(page: str) -> set[str]:
    return set(re.findall(r'href="/fleet/cards/[0-9a-f-]{36}">([^<]+)</a>', page))


def _authorize(console: Console, identity: str, id_tag: str) -> str:
    """What the central system answers the station's Authorize for `id_tag`."""
    with connected(console.client, identity, FakeClock(datetime.now(UTC))) as station:
        answer = station.result("Authorize", {"idTag": id_tag})
    return str(answer["idTagInfo"]["status"])


def test_the_list_shows_the_organisations_cards(console: Console, cards: Cards) -> None:
    console.sign_in("fleet_manager", cards.home)
    page = console.client.get("/fleet/cards")
    assert page.status_code == 200
    assert _tags(page.text) == {cards.tag, "BLOCKED-ALREADY"}
    assert _tags(console.client.get("/fleet/cards?status=blocked").text) == {"BLOCKED-ALREADY"}
    assert _tags(console.client.get("/fleet/cards?q=04a2").text) == {cards.tag}
    bad = console.client.get("/fleet/cards?status=lost")
    assert bad.status_code == 400 and "status must be one of active, blocked" in bad.text


def test_adding_a_card_to_a_vehicle(console: Console, engine: Engine, cards: Cards) -> None:
    console.sign_in("fleet_manager", cards.home)
    form = console.client.get(f"/fleet/cards/new?vehicle={cards.vin}").text
    assert field_value(form, "vehicle") == cards.vin
    fields = {"id_tag": "NEWCARD01", "vehicle": cards.spare_vehicle, "expires_at": ""}
    with unit_of_work(engine) as db:
        before = db.scalar(select(func.count()).select_from(Card))

    assert send(console, "/fleet/cards/new", fields, csrf=False).status_code == 403
    spaced = send(console, "/fleet/cards/new", {**fields, "id_tag": "NEW CARD"})
    assert spaced.status_code == 400 and "printable ASCII" in (
        field_error(spaced.text, "id_tag") or ""
    )
    assert field_value(spaced.text, "vehicle") == cards.spare_vehicle
    taken = send(console, "/fleet/cards/new", {**fields, "id_tag": "THEIRS-1"})
    assert "already has id_tag" in (field_error(taken.text, "id_tag") or "")
    theirs = send(console, "/fleet/cards/new", {**fields, "vehicle": cards.others_vin})
    assert theirs.status_code == 400
    assert "no active vehicle" in (field_error(theirs.text, "vehicle") or "")
    bad_time = send(console, "/fleet/cards/new", {**fields, "expires_at": "next week"})
    assert bad_time.status_code == 400 and field_error(bad_time.text, "expires_at")
    with unit_of_work(engine) as db:
        assert db.scalar(select(func.count()).select_from(Card)) == before

    # Expiry is typed in the organisation's zone: 17:00 in Sydney in June is 07:00 UTC.
    added = send(console, "/fleet/cards/new", {**fields, "expires_at": "2027-06-30T17:00"})
    target = landed(added, "/fleet/cards/")
    assert "Card NEWCARD01 added." in console.client.get(target).text
    view = _card(console, cards, target.split("/")[-1].split("?")[0])
    assert view["id_tag"] == "NEWCARD01" and view["status"] == "active"
    assert view["expires_at"] == "2027-06-30T07:00:00+00:00"
    assert isinstance(view["vehicle"], dict)
    spare = console.client.get(f"/fleet/vehicles/{view['vehicle']['uuid']}").text
    assert cards.spare_vehicle in spare and "NEWCARD01" in spare


def test_a_card_blocked_in_the_console_is_refused_on_the_next_authorize(
    console: Console, cards: Cards
) -> None:
    assert _authorize(console, cards.station, cards.tag) == "Accepted"
    console.sign_in("fleet_manager", cards.home)
    path = f"/fleet/cards/{cards.card}"
    page = console.client.get(path).text
    assert 'data-confirm="Block card 04A2B3C4D5E6F7?' in page
    version = hidden(page, "version")
    assert send(console, f"{path}/block", {"version": version}, csrf=False).status_code == 403
    assert _authorize(console, cards.station, cards.tag) == "Accepted"

    landed(send(console, f"{path}/block", {"version": version}), f"{path}?done=blocked")
    assert _card(console, cards, cards.card)["status"] == "blocked"
    assert _authorize(console, cards.station, cards.tag) == "Blocked"
    shown = console.client.get(f"{path}?done=blocked").text
    assert "Card 04A2B3C4D5E6F7 blocked" in shown and f"{path}/unblock" in shown

    landed(send(console, f"{path}/unblock", {"version": hidden(shown, "version")}), path)
    assert _authorize(console, cards.station, cards.tag) == "Accepted"


def test_assigning_and_expiring_a_card(console: Console, cards: Cards) -> None:
    console.sign_in("fleet_manager", cards.home)
    path = f"/fleet/cards/{cards.card}"
    version = hidden(console.client.get(path).text, "version")
    nobody = send(console, f"{path}/assign", {"vehicle": "", "version": version})
    assert nobody.status_code == 400 and field_error(nobody.text, "vehicle")
    theirs = send(console, f"{path}/assign", {"vehicle": cards.others_vin, "version": version})
    assert theirs.status_code == 400 and field_error(theirs.text, "vehicle")
    moved = send(console, f"{path}/assign", {"vehicle": cards.spare_vehicle, "version": version})
    landed(moved, f"{path}?done=assigned")
    view = _card(console, cards, cards.card)
    assert isinstance(view["vehicle"], dict) and view["vehicle"]["vin"] != cards.vin

    version = hidden(console.client.get(path).text, "version")
    landed(send(console, f"{path}/unassign", {"version": version}), f"{path}?done=unassigned")
    assert _card(console, cards, cards.card)["vehicle"] is None

    version = hidden(console.client.get(path).text, "version")
    bad = send(console, f"{path}/expiry", {"expires_at": "2027-13-01T00:00", "version": version})
    assert bad.status_code == 400 and field_error(bad.text, "expires_at")
    expiring = {"expires_at": "2027-01-15T09:30", "version": version}
    landed(send(console, f"{path}/expiry", expiring), f"{path}?done=expiry")
    # Summer in Sydney: UTC+11.
    assert _card(console, cards, cards.card)["expires_at"] == "2027-01-14T22:30:00+00:00"
    page = console.client.get(path).text
    assert field_value(page, "expires_at") == "2027-01-15T09:30"
    assert "2027-01-15 09:30 AEDT" in page
    version = hidden(page, "version")
    landed(send(console, f"{path}/expiry", {"expires_at": "", "version": version}), path)
    assert _card(console, cards, cards.card)["expires_at"] is None


def test_a_card_goes_to_the_vehicle_named_by_its_vin_or_registration(
    console: Console, engine: Engine, cards: Cards
) -> None:
    with unit_of_work(engine) as db:
        vans = f.fleet(db, cards.home, "More vans")
        alike = []  # registrations that start alike: only the exact one counts
        for number in range(25):
            alike.append(f.vehicle(db, vans, id_tags=()))
            alike[-1].registration_number = f"ab{number}"
        ab2 = str(alike[2].uuid)
        twins = [f.vehicle(db, vans, id_tags=()) for _ in range(2)]
        for vehicle in twins:
            vehicle.registration_number = "TWIN1"
        gone = f.vehicle(db, vans, id_tags=(), effective_to=date(2024, 1, 31))
        gone_vin, twin_vin, twin_uuid = gone.vin, twins[1].vin, str(twins[1].uuid)
    console.sign_in("fleet_manager", cards.home)
    path = f"/fleet/cards/{cards.card}"

    def assign(vehicle: str) -> httpx.Response:
        version = hidden(console.client.get(path).text, "version")
        return send(console, f"{path}/assign", {"vehicle": vehicle, "version": version})

    for refused, message in (
        ("AB", "no active vehicle"),
        ("TWIN1", "give its VIN"),
        (gone_vin, "no active vehicle"),
    ):
        answer = assign(refused)
        assert answer.status_code == 400
        assert message in (field_error(answer.text, "vehicle") or ""), refused
    landed(assign("AB2"), path)  # in any case; not ab20 to ab24
    assigned = _card(console, cards, cards.card)["vehicle"]
    assert isinstance(assigned, dict) and assigned["uuid"] == ab2
    landed(assign(twin_vin.lower()), path)
    assert _card(console, cards, cards.card)["vehicle"] == {"uuid": twin_uuid, "vin": twin_vin}


def test_another_organisations_card_is_not_found(console: Console, cards: Cards) -> None:
    console.sign_in("fleet_manager", cards.home)
    path = f"/fleet/cards/{cards.others_card}"
    assert console.client.get(path).status_code == 404
    for action in ("block", "unassign", "expiry"):
        assert send(console, f"{path}/{action}", {"version": ""}).status_code == 404
    view = _card(console, cards, cards.others_card)
    assert view["status"] == "active" and view["vehicle"] is not None
    assert _authorize(console, cards.station, "THEIRS-1") == "Accepted"


def test_a_member_who_may_only_read_sees_no_forms_and_is_refused(
    console: Console, cards: Cards
) -> None:
    console.sign_in("read_only", cards.home)
    listed = console.client.get("/fleet/cards").text
    assert cards.tag in listed and 'href="/fleet/cards/new"' not in listed
    path = f"/fleet/cards/{cards.card}"
    page = console.client.get(path)
    assert page.status_code == 200 and '<form method="post" action="/fleet/cards/' not in page.text
    assert send(console, f"{path}/block", {"version": ""}).status_code == 403
    assert _card(console, cards, cards.card)["status"] == "active"
    assert console.client.get("/fleet/cards/new").status_code == 403
    refused = send(console, "/fleet/cards/new", {"id_tag": "READER-1", "vehicle": ""})
    assert refused.status_code == 403


def test_a_markup_id_tag_is_shown_as_text(console: Console, engine: Engine, cards: Cards) -> None:
    with unit_of_work(engine) as db:
        card = db.scalars(select(Card).where(Card.uuid == UUID(cards.card))).one()
        card.id_tag = "<b>x</b>"
    console.sign_in("fleet_manager", cards.home)
    for page in (
        console.client.get("/fleet/cards").text,
        console.client.get(f"/fleet/cards/{cards.card}").text,
    ):
        assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_blocking_a_lost_card_in_a_browser(browser: BrowserPage, cards: Cards) -> None:
    browser.console.sign_in("fleet_manager", cards.home)
    browser.open("/fleet/cards")
    browser.page.get_by_role("link", name=cards.tag).click()
    asked: list[str] = []

    def confirm(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    browser.page.once("dialog", confirm)
    browser.page.get_by_role("button", name="Block the card").click()
    browser.page.wait_for_url("**?done=blocked")
    assert asked and asked[0].startswith(f"Block card {cards.tag}?")
    assert browser.page.get_by_role("status").inner_text().startswith(f"Card {cards.tag} blocked")
    browser.screenshot("card blocked")
    browser.assert_no_errors()
    assert _authorize(browser.console, cards.station, cards.tag) == "Blocked"
