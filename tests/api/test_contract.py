"""Every endpoint, every organisation shape: 200 bodies against the reference contract and
our own OpenAPI, exact values for known records, and invoices from the billing run."""

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openapi_schema_validator import OAS30Validator
from sqlalchemy import Engine, select

from fleetcharge.billing.period import Period
from fleetcharge.billing.service import approve_invoices, draft_invoices
from fleetcharge.db import unit_of_work
from fleetcharge.models import Card, ChargeSession, Invoice, InvoiceSession
from fleetcharge.settings import get_settings
from tests import factories as f
from tests.api.helpers import (
    API,
    ENDPOINTS,
    LIST_KEY,
    assert_valid,
    get_page,
    records,
    reference_example,
    reference_schema,
    uuids,
)

PARKING_TARIFF = [
    {
        "price_components": [
            {"type": "ENERGY", "price": "0.45", "step_size": 1},
            {"type": "PARKING_TIME", "price": "6.00", "step_size": 60},
        ]
    }
]
FREE = [{"price_components": [{"type": "ENERGY", "price": "0.00", "step_size": 1}]}]


@dataclass
class Network:
    cybertron: str  # fleet operator with two fleets that also hosts a site
    energon: str  # site host only
    quintessa: str  # one small fleet, never charges
    session_uuids: dict[str, str]
    vehicle_uuids: dict[str, str]
    fleet_uuids: dict[str, str]
    # What a host is shown of cards it did not pay with: (host token, id tag) -> pseudonym.
    pseudonyms: dict[tuple[str, str], str]


def build_network(engine: Engine) -> Network:
    with unit_of_work(engine) as db:
        cybertron = f.organisation(db, "Cybertron")
        energon = f.organisation(db, "Energon Sites")
        quintessa = f.organisation(db, "Quintessa")
        autobots = f.fleet(db, cybertron, "Autobots")
        decepticons = f.fleet(db, cybertron, "Decepticons (Strike Force)")
        prime = f.vehicle(
            db, autobots, id_tags=("OPTIMUS", "PRIME"), effective_from=date(2020, 12, 29)
        )
        bee = f.vehicle(db, autobots, id_tags=("BUMBLEBEE",), effective_from=date(2023, 4, 1))
        cardless = f.vehicle(db, autobots, id_tags=(), effective_from=date(2023, 6, 1))
        cardless.contract_number = None
        retired = f.vehicle(
            db,
            decepticons,
            id_tags=("MEGATRON",),
            effective_from=date(2000, 1, 6),
            effective_to=date(2024, 2, 15),
        )
        db.execute(
            Card.__table__.update().where(Card.id_tag == "MEGATRON").values(status="blocked")
        )
        jetfire = f.vehicle(db, decepticons, id_tags=("JETFIRE",), effective_from=date(2022, 1, 6))
        f.vehicle(db, f.fleet(db, quintessa, "Quintessons"), id_tags=("Q1",))

        brisbane = f.site(db, energon, "Australia/Brisbane")
        adelaide = f.site(db, energon, "Australia/Adelaide", f.tariff(db, PARKING_TARIFF, grace=10))
        sydney = f.site(db, cybertron, "Australia/Sydney", f.tariff(db, FREE))

        made: dict[str, ChargeSession] = {}
        # 17 min 32 s at 8.539 kWh and 0.30/kWh, as in the published /usage example.
        made["optimus"] = f.charge(
            db,
            brisbane,
            f.driver(db, prime),
            datetime(2024, 2, 10, 5, 39, 8, tzinfo=UTC) - timedelta(hours=10),
            charging=timedelta(minutes=16, seconds=32),
            parked=timedelta(minutes=1),
            kwh="8.539",
        )
        made["january"] = f.charge(
            db, brisbane, f.driver(db, bee), datetime(2024, 1, 20, 3, 0, tzinfo=UTC), kwh="10.000"
        )
        # Parked for two weeks at a site that bills parking after 10 minutes of grace.
        made["parked"] = f.charge(
            db,
            adelaide,
            f.driver(db, bee),
            datetime(2024, 2, 9, 20, 34, 15, tzinfo=UTC),
            charging=timedelta(hours=1, minutes=42, seconds=30),
            parked=timedelta(days=14, hours=13, minutes=6),
            kwh="5.581",
        )
        made["own"] = f.charge(
            db, sydney, f.driver(db, jetfire), datetime(2024, 2, 11, 1, 0, tzinfo=UTC)
        )
        made["public"] = f.charge(
            db, sydney, f.driver(db, id_tag="RATCHET"), datetime(2024, 2, 12, 1, 0, tzinfo=UTC)
        )
        made["cardless"] = f.charge(
            db,
            brisbane,
            f.driver(db, cardless, id_tag="NOCARD"),
            datetime(2024, 2, 13, 1, 0, tzinfo=UTC),
        )
        made["retired"] = f.charge(
            db, brisbane, f.driver(db, retired), datetime(2024, 1, 5, 1, 0, tzinfo=UTC)
        )
        tokens = {org: f.token(db, org) for org in (cybertron, energon, quintessa)}
        network = Network(
            cybertron=tokens[cybertron],
            energon=tokens[energon],
            quintessa=tokens[quintessa],
            session_uuids={name: str(s.uuid) for name, s in made.items()},
            vehicle_uuids={
                name: str(v.uuid)
                for name, v in (
                    ("prime", prime),
                    ("bee", bee),
                    ("cardless", cardless),
                    ("retired", retired),
                    ("jetfire", jetfire),
                )
            },
            fleet_uuids={"autobots": str(autobots.uuid), "decepticons": str(decepticons.uuid)},
            pseudonyms={
                (tokens[host], tag): f.pseudonym(db, host.id, tag)
                for host in (cybertron, energon)
                for tag in ("OPTIMUS", "BUMBLEBEE", "JETFIRE", "RATCHET", "NOCARD", "MEGATRON")
            },
        )
    # January is billed and approved; February only drafted (drafts are never listed).
    with unit_of_work(engine) as db:
        draft_invoices(db, Period(2024, 1))
        approve_invoices(db, now=datetime(2024, 2, 2, 1, tzinfo=UTC))  # issued 2 February
    with unit_of_work(engine) as db:
        draft_invoices(db, Period(2024, 2))
    return network


@pytest.fixture
def network(engine: Engine) -> Network:
    return build_network(engine)


def test_every_endpoint_for_every_organisation_matches_both_contracts(
    client: TestClient, network: Network
) -> None:
    expected_totals = {
        network.cybertron: {"usage": 6, "sessions": 2, "vehicles": 5, "invoices": 1},
        network.energon: {"usage": 0, "sessions": 5, "vehicles": 0, "invoices": 2},
        network.quintessa: {"usage": 0, "sessions": 0, "vehicles": 1, "invoices": 1},
    }
    for secret, totals in expected_totals.items():
        for endpoint in ENDPOINTS:
            body = get_page(client, endpoint, secret)  # validates both contracts
            assert body["pagination"] == {"total_entries": totals[endpoint]}, endpoint
            assert len(records(body, endpoint)) == totals[endpoint]


# In the published invoice example but not in the contract's schema (its element shape is
# unknown); we do not send it. Subscriptions are billed as invoice line items.
NOT_IN_CONTRACT = {"charge_station_subscriptions"}


def test_records_carry_every_field_of_the_published_examples(
    client: TestClient, network: Network
) -> None:
    def covers(example: Any, ours: Any, path: str) -> None:
        if isinstance(example, dict):
            assert isinstance(ours, dict), path
            missing = set(example) - set(ours) - NOT_IN_CONTRACT
            assert not missing, f"{path} lacks {sorted(missing)}"
            for key, value in example.items():
                if key not in NOT_IN_CONTRACT and ours[key] is not None:
                    covers(value, ours[key], f"{path}.{key}")
        elif isinstance(example, list) and example and ours:
            covers(example[0], ours[0], f"{path}[0]")

    secrets = {
        "usage": network.cybertron,
        "sessions": network.energon,
        "vehicles": network.cybertron,
        "invoices": network.cybertron,
    }
    for endpoint, secret in secrets.items():
        ours = get_page(client, endpoint, secret)
        example = reference_example(endpoint)
        # The validator set-up accepts the published examples (against the plain schema).
        assert not list(OAS30Validator(reference_schema(endpoint)).iter_errors(example))
        covers(example["data"][LIST_KEY[endpoint]][0], records(ours, endpoint)[0], endpoint)


def test_session_projections_exactly(client: TestClient, network: Network) -> None:
    _usage_record_exactly(client, network)
    _multi_day_parked_session_with_parking_fees(client, network)
    _site_host_sessions_exactly(client, network)
    _site_host_sees_public_drivers_and_own_fleet_is_not_revenue(client, network)


def _usage_record_exactly(client: TestClient, network: Network) -> None:
    body = get_page(
        client, "usage", network.cybertron, {"date_from": "2024-02-10", "date_to": "2024-02-10"}
    )
    assert body["pagination"] == {"total_entries": 2}
    optimus = next(
        s for s in records(body, "usage") if s["uuid"] == network.session_uuids["optimus"]
    )
    assert optimus == {
        "uuid": network.session_uuids["optimus"],
        "auth_id": "OPTIMUS",  # the fleet's own card, as it is
        "vehicle": {
            "contract_number": optimus["vehicle"]["contract_number"],
            "vin": optimus["vehicle"]["vin"],
            "registration_number": optimus["vehicle"]["registration_number"],
        },
        "customer": {"uuid": network.fleet_uuids["autobots"], "name": "Autobots"},
        "location": {
            "name": optimus["location"]["name"],
            "timezone": "Australia/Brisbane",
            "address": optimus["location"]["address"],
            "evse": {
                "evse_id": optimus["location"]["evse"]["evse_id"],
                "name": optimus["location"]["evse"]["name"],
                "connector": {"id": 1, "name": "Port A"},
            },
        },
        "start_date_time": "2024-02-10T05:21:36+10:00",
        "stop_date_time": "2024-02-10T05:39:08+10:00",
        "total_time": 1020,  # 17 min 32 s: seconds truncated to whole minutes
        "cost_to_driver": 2.56,  # 8.539 kWh x 0.30
        "consumption": 8.539,
        "total_parking_time": 60,
        "invoice_number": None,  # February is drafted, not approved
        "charging_periods": [
            {
                "start_date_time": "2024-02-10T05:21:36+10:00",
                "duration": 960,
                "consumption": 8.539,
                "tariff": 0.3,
                "gst": 0.23,
                "amount": 2.56,
                "currency": "AUD",
            },
            {
                "start_date_time": "2024-02-10T05:38:08+10:00",
                "duration": 60,
                "consumption": 0,
                "tariff": 0,
                "gst": 0,
                "amount": 0,
                "currency": "AUD",
            },
        ],
    }
    assert optimus["vehicle"]["vin"].startswith("TESTVIN")
    assert optimus["location"]["evse"]["evse_id"].startswith("EVSE-")


def _multi_day_parked_session_with_parking_fees(client: TestClient, network: Network) -> None:
    usage = get_page(
        client, "usage", network.cybertron, {"date_from": "2024-02-10", "date_to": "2024-02-10"}
    )
    parked = next(
        s for s in records(usage, "usage") if s["uuid"] == network.session_uuids["parked"]
    )
    # Adelaide in February is UTC+10:30; stop 2024-02-09T20:34:15Z.
    assert parked["stop_date_time"] == "2024-02-10T07:04:15+10:30"
    assert parked["start_date_time"] == "2024-01-26T16:15:45+10:30"
    assert parked["total_time"] == 1262880  # 14 d 14 h 48 min 30 s -> whole minutes
    assert parked["total_parking_time"] == 1256760
    # 5.581 kWh x 0.45 = 2.51; parking 14 d 13 h 6 min less 10 min grace at 6.00/h = 2093.60.
    assert parked["charging_periods"] == [
        {
            "start_date_time": "2024-01-26T16:15:45+10:30",
            "duration": 6120,
            "consumption": 5.581,
            "tariff": 0.45,
            "gst": 0.23,
            "amount": 2.51,
            "currency": "AUD",
        },
        {
            "start_date_time": "2024-01-26T17:58:15+10:30",
            "duration": 1256760,
            "consumption": 0,
            "tariff": 6,
            "gst": 190.33,
            "amount": 2093.6,
            "currency": "AUD",
        },
    ]
    assert parked["cost_to_driver"] == 2096.11


def _site_host_sessions_exactly(client: TestClient, network: Network) -> None:
    operator = get_settings().operator_name
    body = get_page(
        client, "sessions", network.energon, {"date_from": "2024-02-10", "date_to": "2024-02-10"}
    )
    optimus = next(
        s for s in records(body, "sessions") if s["uuid"] == network.session_uuids["optimus"]
    )
    location = optimus.pop("location")
    assert location["operator"] == {"name": operator}
    assert location["sub_operator"] == {"name": "Energon Sites"}
    assert location["suboperator"] == {"name": "Energon Sites"}
    assert location["timezone"] == "Australia/Brisbane"
    assert location["evse"]["connector"] == {"id": 1, "name": "Port A"}
    optimus.pop("charging_periods")
    assert optimus == {
        "uuid": network.session_uuids["optimus"],
        # Cybertron's card, not Energon's: a pseudonym.
        "auth_id": network.pseudonyms[network.energon, "OPTIMUS"],
        "start_date_time": "2024-02-10T05:21:36+10:00",
        "stop_date_time": "2024-02-10T05:39:08+10:00",
        "total_time": 1020,
        "consumption": 8.539,
        "total_parking_time": 60,
        # Another organisation's driver paid 2.56: revenue to the host.
        "total_revenue": 2.56,
        "gst_on_total_revenue": 0.23,
        # Network fee 0.175/kWh x 8.539 kWh = 1.49 (GST 0.14).
        "total_cost": 1.49,
        "gst_on_total_cost": 0.14,
        "currency": "AUD",
    }


def _site_host_sees_public_drivers_and_own_fleet_is_not_revenue(
    client: TestClient, network: Network
) -> None:
    body = get_page(client, "sessions", network.cybertron)
    by_uuid = {s["uuid"]: s for s in records(body, "sessions")}
    names = network.session_uuids
    assert list(by_uuid) == [names["own"], names["public"]]
    # The host's own card as it is, a public driver's as a pseudonym.
    assert by_uuid[names["public"]]["auth_id"] == network.pseudonyms[network.cybertron, "RATCHET"]
    own = by_uuid[names["own"]]
    assert own["auth_id"] == "JETFIRE"
    assert (own["total_revenue"], own["gst_on_total_revenue"]) == (0, 0)
    assert (own["total_cost"], own["gst_on_total_cost"]) == (1.75, 0.16)
    # The public driver is not the host's fleet: /usage of the host does not show it.
    usage = get_page(client, "usage", network.cybertron)
    assert names["public"] not in uuids(records(usage, "usage"))


def test_vehicles_exactly(client: TestClient, network: Network) -> None:
    body = get_page(client, "vehicles", network.cybertron)
    vehicles = records(body, "vehicles")
    v = network.vehicle_uuids
    # Ordered by effective_from; the retired vehicle is listed, its blocked card is not.
    assert uuids(vehicles) == [v["retired"], v["prime"], v["jetfire"], v["bee"], v["cardless"]]
    summary = [
        (
            x["effective_from"],
            x["effective_to"],
            x["customer"]["name"],
            [c["id_tag"] for c in x["cards"]],
            x["contract_number"] is None,
        )
        for x in vehicles
    ]
    assert summary == [
        ("2000-01-06", "2024-02-15", "Decepticons (Strike Force)", [], False),
        ("2020-12-29", None, "Autobots", ["OPTIMUS", "PRIME"], False),
        ("2022-01-06", None, "Decepticons (Strike Force)", ["JETFIRE"], False),
        ("2023-04-01", None, "Autobots", ["BUMBLEBEE"], False),
        ("2023-06-01", None, "Autobots", [], True),
    ]
    assert vehicles[1]["customer"] == {"uuid": network.fleet_uuids["autobots"], "name": "Autobots"}


def test_invoices_from_the_billing_run(
    client: TestClient, network: Network, engine: Engine
) -> None:
    body = get_page(client, "invoices", network.cybertron)
    (invoice,) = records(body, "invoices")
    assert invoice["status"] == "approved"
    assert invoice["invoice_date"] == "2024-02-02"
    assert isinstance(invoice["invoice_number"], int)
    lines = invoice["line_items"]
    assert (
        round(sum(line["amount_incl_tax"] for line in lines), 2)
        == (invoice["total_amount_incl_tax"])
    )
    assert invoice["total_due_incl_tax"] == invoice["total_amount_incl_tax"]
    assert invoice["total_paid_incl_tax"] == 0
    # The January sessions paid by Cybertron's fleets, at their cost to the driver.
    billed = {s["uuid"]: s["total_cost_incl_tax"] for s in invoice["charge_sessions"]}
    assert billed == {network.session_uuids["january"]: 3, network.session_uuids["retired"]: 3}
    january = next(
        s for s in invoice["charge_sessions"] if s["uuid"] == network.session_uuids["january"]
    )
    assert january["start_time"] == "2024-01-20T12:30:00.000+10:00"
    assert january["stop_time"] == "2024-01-20T13:00:00.000+10:00"
    assert january["total_time"] == 30  # whole minutes on invoices
    assert january["consumption"] == 10
    # Vehicles active in January, all five (the retired one left in February).
    assert len(invoice["vehicles"]) == 5
    assert all(isinstance(x["contract_number"], str) for x in invoice["vehicles"])

    # Usage shows the fleet invoice number as a string for January, null for February.
    usage = records(get_page(client, "usage", network.cybertron), "usage")
    numbers = {s["uuid"]: s["invoice_number"] for s in usage}
    assert numbers[network.session_uuids["january"]] == str(invoice["invoice_number"])
    assert numbers[network.session_uuids["optimus"]] is None
    assert numbers[network.session_uuids["parked"]] is None

    # The host's documents list the network fee and the revenue it collected.
    energon = records(get_page(client, "invoices", network.energon), "invoices")
    assert [x["invoice_date"] for x in energon] == ["2024-02-02", "2024-02-02"]
    assert sorted(x["invoice_number"] for x in energon) == [x["invoice_number"] for x in energon]
    # The site-host invoice bills the network fee (10 kWh x 0.175), the RCTI the revenue.
    billed_amounts = {
        tuple(s["total_cost_incl_tax"] for s in x["charge_sessions"]) for x in energon
    }
    assert billed_amounts == {(1.75, 1.75), (3, 3)}
    # Both bill Cybertron's cards: pseudonyms, those /sessions shows the host; the fleet's
    # own invoice shows them as they are.
    hidden = sorted(network.pseudonyms[network.energon, tag] for tag in ("BUMBLEBEE", "MEGATRON"))
    for document in energon:
        assert sorted(s["auth_id"] for s in document["charge_sessions"]) == hidden
    hosted = records(get_page(client, "sessions", network.energon), "sessions")
    assert hidden == sorted(
        s["auth_id"]
        for s in hosted
        if s["uuid"] in (network.session_uuids["january"], network.session_uuids["retired"])
    )
    assert sorted(s["auth_id"] for s in invoice["charge_sessions"]) == ["BUMBLEBEE", "MEGATRON"]
    # February's drafts exist, but are never listed.
    with unit_of_work(engine) as db:
        drafts = db.scalars(select(Invoice).where(Invoice.status == "draft")).all()
        assert {d.period_start for d in drafts} == {date(2024, 2, 1)}
        linked = db.scalar(
            select(InvoiceSession.session_id).where(InvoiceSession.invoice_id == drafts[0].id)
        )
        assert linked is not None


def test_invoice_nullable_fields_and_statuses_match_the_contract(
    client: TestClient, engine: Engine
) -> None:
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        fl = f.fleet(db, org)
        v = f.vehicle(db, fl)
        v.contract_number = None
        cs = f.charge(db, f.site(db, org), f.driver(db, v), datetime(2024, 3, 3, tzinfo=UTC))
        f.invoice(
            db,
            org,
            invoice_date=date(2024, 3, 31),
            description=None,
            reference=None,
            vehicles=(v,),
            sessions=(cs,),
        )
        f.invoice(
            db,
            org,
            kind="site_host",
            status="paid",
            invoice_date=date(2024, 3, 31),
            lines=(),
        )
        f.invoice(db, org, status="void", invoice_date=date(2024, 3, 31))
        secret = f.token(db, org)
    body = get_page(client, "invoices", secret)
    assert [x["status"] for x in records(body, "invoices")] == ["approved", "paid", "void"]
    first = records(body, "invoices")[0]
    assert (first["description"], first["reference"]) == (None, None)
    assert first["vehicles"][0]["contract_number"] == ""


def test_the_contract_checks_can_fail(client: TestClient, network: Network) -> None:
    """Each check above would catch a wrong type, a missing or an unknown field."""

    def session(body: dict[str, Any]) -> dict[str, Any]:
        return body["data"]["sessions"][0]

    breakages: dict[str, list[Callable[[dict[str, Any]], object]]] = {
        "usage": [
            lambda b: session(b).update(invoice_number=7),
            lambda b: session(b).update(total_time=60.5),
            lambda b: session(b).pop("auth_id"),
            lambda b: session(b).update(cost=1),
            lambda b: session(b).update(stop_date_time="2024-02-10 05:39"),
            lambda b: session(b)["location"]["evse"]["connector"].update(id="1"),
            lambda b: b["pagination"].pop("total_entries"),
            lambda b: b["pagination"].update(next=None),
        ],
        "sessions": [
            lambda b: session(b)["location"].pop("suboperator"),
            lambda b: session(b).update(total_revenue="0.50"),
            lambda b: session(b)["charging_periods"][0].pop("currency"),
        ],
        "vehicles": [
            lambda b: b["data"]["vehicles"][0]["cards"].append({}),
            lambda b: b["data"]["vehicles"][0].update(effective_from="06/01/2000"),
            lambda b: b["data"]["vehicles"][0].pop("effective_to"),
        ],
        "invoices": [
            lambda b: b["data"]["invoices"][0].update(invoice_number="1"),
            lambda b: b["data"]["invoices"][0]["vehicles"][0].pop("cards"),
            lambda b: b["data"]["invoices"][0]["charge_sessions"][0].pop("auth_id"),
        ],
    }
    for endpoint, mutations in breakages.items():
        secret = network.energon if endpoint == "sessions" else network.cybertron
        body = get_page(client, endpoint, secret)
        for number, mutate in enumerate(mutations):
            broken = copy.deepcopy(body)
            mutate(broken)
            with pytest.raises(AssertionError):
                assert_valid(client, endpoint, broken)
                pytest.fail(f"{endpoint} breakage {number} went unnoticed")


def test_own_openapi_documents_the_api(bare_client: TestClient) -> None:
    document = bare_client.get(f"{API}/openapi.json").json()
    assert {f"{API}/{endpoint}" for endpoint in ENDPOINTS} <= set(document["paths"])
    text = str(document)
    assert "truncated to whole minutes" in text
    assert "local calendar date of completion" in text
    assert "kWh" in text
    for model in ("SiteHostSession", "InvoiceSession"):
        described = document["components"]["schemas"][model]["properties"]["auth_id"]
        assert "pseudonym: `anon-` and 20 hex digits" in described["description"]
    assert {s["scheme"] for s in document["components"]["securitySchemes"].values()} == {"bearer"}
    for endpoint in ENDPOINTS:
        operation = document["paths"][f"{API}/{endpoint}"]["get"]
        names = {p["name"] for p in operation["parameters"]}
        assert names == ({"page"} if endpoint == "vehicles" else {"page", "date_from", "date_to"})
        # The error statuses we send, in our error shape; never FastAPI's 422.
        responses = operation["responses"]
        assert set(responses) == {"200", "400", "401", "403", "429", "503"}
        for status in ("400", "401", "403"):
            schema = responses[status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorBody"}
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_docs_page_is_html(bare_client: TestClient) -> None:
    response = bare_client.get(f"{API}/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert f"{API}/openapi.json" in response.text
    assert "<html" in response.text.lower()


def test_reference_copy_matches_the_shared_contract() -> None:
    """The tests validate against a copy; it must be the published contract, byte for byte."""
    from pathlib import Path

    from tests.api.helpers import REFERENCE_DIR

    shared = Path(__file__).resolve().parents[3] / "shared" / "reference"
    if not shared.is_dir():
        pytest.skip(f"no shared contract at {shared} to compare the copy with")
    for original in sorted(shared.rglob("*.json")):
        copy = REFERENCE_DIR / original.relative_to(shared)
        assert copy.read_bytes() == original.read_bytes(), f"{copy} differs from {original}"
