"""The permission matrix over HTTP: for every role, every (resource, action) of
`permissions.PERMISSIONS` that has a route is answered 2xx when the table allows
it and 403 when it does not.

To cover a new route, add one line to ROUTES: the (resource, action) it needs and a call
making the request for the objects of `World` (the caller's own organisation's, so that
a fleet manager's answer is about its role, not about scoping).
"""

import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fleetcharge.accounts.service import create_account
from fleetcharge.auth.service import issue_token
from fleetcharge.db import unit_of_work
from fleetcharge.models import Organisation, TariffOverride, WebhookDelivery
from fleetcharge.models.account import OPERATOR_ROLES, ROLES
from fleetcharge.permissions import PERMISSIONS, Actor, allowed
from fleetcharge.settings import get_settings
from fleetcharge.webhooks.outbox import emit
from tests import factories as f
from tests.admin.helpers import ADMIN, Caller, member
from tests.webhooks.factories import subscription

_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def operator_abn(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tax invoices name the operator's ABN (a dry run of a sending renders one)."""
    monkeypatch.setenv("FLEETCHARGE_OPERATOR_ABN", "51 824 753 556")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


ENERGY = f.ENERGY_30C
HOOK = "http://127.0.0.1:9/hook"


@dataclass
class World:
    """A client, one organisation and its objects; `headers` is the caller's token."""

    client: TestClient
    engine: Engine
    organisation_uuid: str
    headers: dict[str, str]

    def get(self, path: str) -> httpx.Response:
        return self.client.get(f"{ADMIN}{path}", headers=self.headers)

    def post(self, path: str, body: Any = None) -> httpx.Response:
        return self.client.post(f"{ADMIN}{path}", json=body, headers=self.headers)

    def delete(self, path: str) -> httpx.Response:
        return self.client.delete(f"{ADMIN}{path}", headers=self.headers)

    def patch(self, path: str, body: Any) -> httpx.Response:
        return self.client.patch(f"{ADMIN}{path}", json=body, headers=self.headers)

    def unique(self, name: str) -> str:
        return f"{name} {next(_serial)}"

    def upload(self, path: str, csv: str) -> httpx.Response:
        headers = {**self.headers, "Content-Type": "text/csv"}
        return self.client.post(f"{ADMIN}{path}", content=csv, headers=headers)

    def vehicles_file(self) -> str:
        return f"vin,registration_number,fleet\n1FCVH{next(_serial):012d},R1,Vans\n"

    def locations_file(self) -> str:
        n = next(_serial)
        return (
            "location,host_organisation,address,timezone,station_identity,evse_id,"
            f"station_name,connector_id\nSite {n},{self.organisation_uuid},1 Main St,"
            f"Australia/Sydney,CP-{n},AU*FCN*E{n},Bay,1\n"
        )

    def _organisation(self, db: Session) -> Organisation:
        wanted = uuid.UUID(self.organisation_uuid)
        return db.scalars(select(Organisation).where(Organisation.uuid == wanted)).one()

    def new_api_token(self) -> str:
        with unit_of_work(self.engine) as db:
            return str(issue_token(db, self._organisation(db)).token.uuid)

    def new_fleet(self) -> str:
        with unit_of_work(self.engine) as db:
            return str(f.fleet(db, self._organisation(db), self.unique("Fleet")).uuid)

    def new_vehicle(self) -> str:
        with unit_of_work(self.engine) as db:
            fleet = f.fleet(db, self._organisation(db), self.unique("Fleet"))
            return str(f.vehicle(db, fleet, id_tags=()).uuid)

    def new_card(self) -> str:
        with unit_of_work(self.engine) as db:
            fleet = f.fleet(db, self._organisation(db), self.unique("Fleet"))
            vehicle = f.vehicle(db, fleet, id_tags=(f"PM{next(_serial)}",))
            return str(vehicle.cards[0].uuid)

    def vin(self) -> str:
        return f"1HGBH41JXMN{next(_serial):06d}"

    def location_body(self) -> dict[str, str]:
        return {
            "name": self.unique("Site"),
            "address": "1 Test St",
            "timezone": "Australia/Sydney",
            "host_organisation_uuid": self.organisation_uuid,
        }

    def new_location(self) -> str:
        with unit_of_work(self.engine) as db:
            return str(f.site(db, self._organisation(db)).location.uuid)

    def station_body(self) -> dict[str, Any]:
        identity = self.unique("ST").replace(" ", "-")
        return {
            "identity": identity,
            "evse_id": identity,
            "name": identity,
            "location_uuid": self.new_location(),
        }

    def new_station(self) -> str:
        with unit_of_work(self.engine) as db:
            return str(f.site(db, self._organisation(db)).station.uuid)

    def new_tariff(self) -> str:
        with unit_of_work(self.engine) as db:
            return str(f.tariff(db).uuid)

    def here(self) -> dict[str, str]:
        return {"organisation_uuid": self.organisation_uuid, "location_uuid": self.new_location()}

    def new_override(self) -> str:
        """The path of an override of a new tariff."""
        with unit_of_work(self.engine) as db:
            site = f.site(db, self._organisation(db))
            db.add(
                TariffOverride(
                    organisation_id=site.location.host_organisation_id,
                    location_id=site.location.id,
                    tariff_id=site.tariff.id,
                )
            )
            where = f"{self.organisation_uuid}/{site.location.uuid}"
            return f"/tariffs/{site.tariff.uuid}/overrides/{where}"

    def new_invoice(self) -> int:
        """An issued invoice of the organisation, which has a billing contact."""
        with unit_of_work(self.engine) as db:
            organisation = self._organisation(db)
            organisation.billing_emails = ["ap@example.test"]
            n = next(_serial)  # one fleet invoice a month: a month of its own
            month_end = date(2001 + n // 12, n % 12 + 1, 28)
            number = f.invoice(db, organisation, invoice_date=month_end).invoice_number
            assert number is not None
            return number

    def new_review(self, days: float = 29, kwh: int = 200_000) -> str:
        """A held session review of the organisation's card (`kwh` in `days`)."""
        with unit_of_work(self.engine) as db:
            return str(f.held_review(db, self._organisation(db), days=days, kwh=kwh).uuid)

    def new_subscription(self) -> str:
        with unit_of_work(self.engine) as db:
            return str(subscription(db, self._organisation(db))[0].uuid)

    def new_delivery(self) -> str:
        with unit_of_work(self.engine) as db:
            organisation = self._organisation(db)
            to, _ = subscription(db, organisation, event_types=["invoice.paid"])
            emit(db, organisation_id=organisation.id, event_type="invoice.paid", data={})
            found = select(WebhookDelivery.uuid).where(WebhookDelivery.subscription_id == to.id)
            return str(db.scalars(found).one())

    def new_event(self) -> str:
        with unit_of_work(self.engine) as db:
            organisation = self._organisation(db)
            subscription(db, organisation, event_types=["invoice.paid"])
            event = emit(db, organisation_id=organisation.id, event_type="invoice.paid", data={})
            assert event is not None
            return str(event.uuid)

    def new_account(self) -> str:
        with unit_of_work(self.engine) as db:
            issued = create_account(db, Actor.command_line(), self.unique("staff"), "support")
            return str(issued.token.account.uuid)


Call = Callable[[World], httpx.Response]

# (resource, action) -> a call needing exactly that permission. One line per route.
ROUTES: list[tuple[str, str, Call]] = [
    ("organisations", "read", lambda w: w.get("/organisations")),
    ("organisations", "read", lambda w: w.get(f"/organisations/{w.organisation_uuid}")),
    ("organisations", "create", lambda w: w.post("/organisations", {"name": w.unique("Org")})),
    (
        "organisations",
        "update",
        lambda w: w.patch(f"/organisations/{w.organisation_uuid}", {"contact_name": "Ops"}),
    ),
    ("accounts", "read", lambda w: w.get("/accounts")),
    ("accounts", "create", lambda w: w.post("/accounts", {"name": "n", "role": "support"})),
    ("accounts", "revoke", lambda w: w.post(f"/accounts/{w.new_account()}/revoke")),
    ("audit_events", "read", lambda w: w.get("/audit-events")),
    ("api_tokens", "read", lambda w: w.get("/api-tokens")),
    ("api_tokens", "read", lambda w: w.get(f"/api-tokens/{w.new_api_token()}")),
    (
        "api_tokens",
        "create",
        lambda w: w.post("/api-tokens", {"organisation_uuid": w.organisation_uuid}),
    ),
    ("api_tokens", "revoke", lambda w: w.post(f"/api-tokens/{w.new_api_token()}/revoke")),
    ("fleets", "read", lambda w: w.get("/fleets")),
    ("fleets", "read", lambda w: w.get(f"/fleets/{w.new_fleet()}")),
    (
        "fleets",
        "create",
        lambda w: w.post("/fleets", {"organisation_uuid": w.organisation_uuid, "name": "F"}),
    ),
    ("fleets", "update", lambda w: w.patch(f"/fleets/{w.new_fleet()}", {"name": w.unique("F")})),
    ("vehicles", "read", lambda w: w.get("/vehicles")),
    ("vehicles", "read", lambda w: w.get(f"/vehicles/{w.new_vehicle()}")),
    (
        "vehicles",
        "create",
        lambda w: w.post(
            "/vehicles",
            {"fleet_uuid": w.new_fleet(), "vin": w.vin(), "registration_number": "R1"},
        ),
    ),
    (
        "vehicles",
        "update",
        lambda w: w.patch(f"/vehicles/{w.new_vehicle()}", {"registration_number": "R2"}),
    ),
    (
        "vehicles",
        "update",
        lambda w: w.post(f"/vehicles/{w.new_vehicle()}/move", {"fleet_uuid": w.new_fleet()}),
    ),
    ("cards", "read", lambda w: w.get("/cards")),
    ("cards", "read", lambda w: w.get(f"/cards/{w.new_card()}")),
    ("cards", "create", lambda w: w.post("/cards", {"id_tag": w.unique("C").replace(" ", "")})),
    ("cards", "update", lambda w: w.patch(f"/cards/{w.new_card()}", {"expires_at": None})),
    (
        "cards",
        "update",
        lambda w: w.post(f"/cards/{w.new_card()}/assign", {"vehicle_uuid": w.new_vehicle()}),
    ),
    ("cards", "update", lambda w: w.post(f"/cards/{w.new_card()}/unassign")),
    ("cards", "block", lambda w: w.post(f"/cards/{w.new_card()}/block")),
    ("cards", "block", lambda w: w.post(f"/cards/{w.new_card()}/unblock")),
    ("locations", "read", lambda w: w.get("/locations")),
    ("locations", "read", lambda w: w.get(f"/locations/{w.new_location()}")),
    ("locations", "read", lambda w: w.get(f"/locations/{w.new_location()}/allocation")),
    ("locations", "create", lambda w: w.post("/locations", w.location_body())),
    ("locations", "update", lambda w: w.patch(f"/locations/{w.new_location()}", {"name": "L"})),
    ("stations", "read", lambda w: w.get("/stations")),
    ("stations", "read", lambda w: w.get(f"/stations/{w.new_station()}")),
    ("stations", "create", lambda w: w.post("/stations", w.station_body())),
    ("stations", "update", lambda w: w.patch(f"/stations/{w.new_station()}", {"name": "S"})),
    ("stations", "update", lambda w: w.post(f"/stations/{w.new_station()}/decommission")),
    ("stations", "approve", lambda w: w.post(f"/stations/{w.new_station()}/approve")),
    ("stations", "update", lambda w: w.post(f"/stations/{w.new_station()}/password")),
    ("stations", "read", lambda w: w.get("/stations/connected")),
    ("stations", "command", lambda w: w.post("/stations/CP-X/remote-stop", {"transactionId": 1})),
    ("stations", "command", lambda w: w.post("/stations/CP-X/unlock", {"connectorId": 1})),
    ("stations", "command", lambda w: w.post("/stations/CP-X/reset", {})),
    (
        "stations",
        "command",
        lambda w: w.post("/stations/CP-X/trigger", {"requestedMessage": "Heartbeat"}),
    ),
    (
        "stations",
        "command",
        lambda w: w.post("/stations/CP-X/availability", {"connectorId": 0, "type": "Operative"}),
    ),
    (
        "vehicles",
        "import",
        lambda w: w.upload(
            f"/imports/vehicles?organisation_uuid={w.organisation_uuid}", w.vehicles_file()
        ),
    ),
    ("locations", "import", lambda w: w.upload("/imports/locations", w.locations_file())),
    ("tariffs", "read", lambda w: w.get("/tariffs")),
    ("tariffs", "read", lambda w: w.get(f"/tariffs/{w.new_tariff()}")),
    ("tariffs", "read", lambda w: w.get(f"/tariffs/{w.new_tariff()}/overrides")),
    ("tariffs", "create", lambda w: w.post("/tariffs", {"name": "T", "elements": ENERGY})),
    ("tariffs", "update", lambda w: w.post(f"/tariffs/{w.new_tariff()}/overrides", w.here())),
    ("tariffs", "update", lambda w: w.delete(w.new_override())),
    ("session_reviews", "read", lambda w: w.get("/session-reviews?state=all")),
    ("session_reviews", "read", lambda w: w.get(f"/session-reviews/{w.new_review()}")),
    ("session_reviews", "review", lambda w: w.post(f"/session-reviews/{w.new_review()}/accept")),
    (
        "session_reviews",
        "review",
        lambda w: w.post(
            f"/session-reviews/{w.new_review(days=0.1, kwh=200)}/correct",
            {"energy_kwh": "30", "note": "meter read on site"},
        ),
    ),
    (
        "session_reviews",
        "review",
        lambda w: w.post(f"/session-reviews/{w.new_review()}/reject", {"note": "forged"}),
    ),
    ("invoices", "read", lambda w: w.get(f"/invoices/{w.new_invoice()}/sendings")),
    (
        "invoices",
        "send",
        lambda w: w.post(f"/invoices/{w.new_invoice()}/send", {"dry_run": True}),
    ),
    (
        "billing",
        "read",
        lambda w: w.get(f"/organisations/{w.organisation_uuid}/statement?format=csv"),
    ),
    ("webhooks", "read", lambda w: w.get("/webhook-subscriptions")),
    ("webhooks", "read", lambda w: w.get(f"/webhook-subscriptions/{w.new_subscription()}")),
    (
        "webhooks",
        "read",
        lambda w: w.get(f"/webhook-subscriptions/{w.new_subscription()}/deliveries"),
    ),
    ("webhooks", "read", lambda w: w.get(f"/webhook-subscriptions/deliveries/{w.new_delivery()}")),
    (
        "webhooks",
        "create",
        lambda w: w.post(
            "/webhook-subscriptions",
            {"organisation_uuid": w.organisation_uuid, "url": HOOK, "event_types": ["*"]},
        ),
    ),
    (
        "webhooks",
        "update",
        lambda w: w.patch(f"/webhook-subscriptions/{w.new_subscription()}", {"description": "d"}),
    ),
    (
        "webhooks",
        "update",
        lambda w: w.post(f"/webhook-subscriptions/{w.new_subscription()}/rotate-secret"),
    ),
    (
        "webhooks",
        "update",
        lambda w: w.post(f"/webhook-subscriptions/{w.new_subscription()}/disable"),
    ),
    (
        "webhooks",
        "update",
        lambda w: w.post(f"/webhook-subscriptions/{w.new_subscription()}/enable"),
    ),
    (
        "webhooks",
        "redeliver",
        lambda w: w.post(f"/webhook-subscriptions/deliveries/{w.new_delivery()}/redeliver"),
    ),
    (
        "webhooks",
        "redeliver",
        lambda w: w.post(
            f"/webhook-subscriptions/{w.new_subscription()}/redeliver",
            {"event_uuid": w.new_event()},
        ),
    ),
]


# Resources with no admin API route for some actions, whose checks are tested where they are
# served: the billing run is the console's and the CLI's (tests/console/test_billing.py).
WITHOUT_ADMIN_ROUTES = frozenset({"billing"})


def test_every_action_of_the_table_has_a_route() -> None:
    covered = {(resource, action) for resource, action, _ in ROUTES}
    for resource in set(PERMISSIONS) - WITHOUT_ADMIN_ROUTES:
        for action in PERMISSIONS[resource]:
            assert (resource, action) in covered, f"no route in ROUTES for {resource} {action}"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_answered_as_the_table_says(
    client: TestClient, engine: Engine, role: str
) -> None:
    with unit_of_work(engine) as db:
        home = f.organisation(db, "Home")
        if role in OPERATOR_ROLES:
            issued = create_account(db, Actor.command_line(), role, role)
            caller = Caller(role, issued.secret)
        else:
            caller = member(db, home, role)
        world = World(client, engine, str(home.uuid), caller.headers)
    answers = []
    for resource, action, make_call in ROUTES:
        response = make_call(world)
        expected = "2xx" if allowed(role, resource, action) else "403"
        got = "2xx" if 200 <= response.status_code < 300 else str(response.status_code)
        if _not_connected(response):  # authorised: the command went looking for the station
            got = "2xx"
        answers.append((resource, action, expected, got, response.text[:200]))
    wrong = [answer for answer in answers if answer[2] != answer[3]]
    assert not wrong, wrong
    # Both kinds of answer were seen for the restricted roles (the table is not all-or-nothing).
    if role != "admin":
        assert {"2xx", "403"} <= {answer[3] for answer in answers}


def _not_connected(response: httpx.Response) -> bool:
    return response.status_code == 404 and "station_not_connected" in response.text
