"""/organisations: create, list, show, update with If-Match, validation, audit."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.admin.helpers import ADMIN, Caller, account, all_pages, error_of, ok

CYBERTRON = {
    "name": "Cybertron Logistics",
    "abn": "51 824 753 556",
    "billing_timezone": "Australia/Perth",
    "vehicle_fee": "5.50",
    "network_fee_per_kwh": 0.2,
    "contact_email": "accounts@cybertron.example",
}


def test_create_show_list_and_update(client: TestClient, admin: Caller) -> None:
    created = ok(client.post(f"{ADMIN}/organisations", json=CYBERTRON, headers=admin.headers), 201)
    assert created["abn"] == "51824753556"
    assert (created["vehicle_fee"], created["network_fee_per_kwh"]) == ("5.50", "0.2000")
    shown = client.get(f"{ADMIN}/organisations/{created['uuid']}", headers=admin.headers)
    assert ok(shown) == created
    assert shown.headers["etag"] == f'"{created["version"]}"'
    changed = ok(
        client.patch(
            f"{ADMIN}/organisations/{created['uuid']}",
            json={"address": "1 Iacon Way, Perth WA 6000", "rate_limits": {"usage": "100/hour"}},
            headers={**admin.headers, "If-Match": shown.headers["etag"]},
        )
    )
    assert changed["address"] == "1 Iacon Way, Perth WA 6000"
    assert changed["rate_limits"] == {"usage": "100/hour"}
    assert changed["version"] == created["version"] + 1
    stale = client.patch(
        f"{ADMIN}/organisations/{created['uuid']}",
        json={"address": "elsewhere"},
        headers={**admin.headers, "If-Match": shown.headers["etag"]},
    )
    assert error_of(stale, 412)["code"] == "precondition_failed"
    listed = all_pages(client, admin, "/organisations")
    assert [o["uuid"] for o in listed] == [created["uuid"]]
    events = all_pages(client, admin, "/audit-events?resource=organisation")
    assert [e["action"] for e in events] == ["create", "update"]
    assert events[1]["before"]["address"] is None
    assert events[1]["after"]["address"] == "1 Iacon Way, Perth WA 6000"
    assert events[1]["actor"]["role"] == "admin"


def test_invalid_fields_are_named(client: TestClient, admin: Caller) -> None:
    cases = [
        ({**CYBERTRON, "abn": "51 824 753 557"}, "abn"),
        ({**CYBERTRON, "billing_timezone": "Mars/Olympus"}, "billing_timezone"),
        ({**CYBERTRON, "vehicle_fee": "-1"}, "vehicle_fee"),
        ({**CYBERTRON, "vehicle_fee": "NaN"}, "vehicle_fee"),
        ({**CYBERTRON, "vehicle_fee": "1e30"}, "vehicle_fee"),
        ({**CYBERTRON, "network_fee_per_kwh": "0.12345"}, "network_fee_per_kwh"),
        ({**CYBERTRON, "contact_email": "nobody"}, "contact_email"),
        ({**CYBERTRON, "rate_limits": {"charging": "1/hour"}}, "rate_limits.charging"),
        ({**CYBERTRON, "rate_limits": {"usage": "lots"}}, "rate_limits.usage"),
        ({**CYBERTRON, "name": " "}, "name"),
        ({**CYBERTRON, "colour": "red"}, "colour"),
        ({**CYBERTRON, "billing_emails": ["ap@cybertron.example", "x@"]}, "billing_emails[1]"),
        ({**CYBERTRON, "billing_emails": "ap@cybertron.example"}, "billing_emails"),
        ({**CYBERTRON, "billing_emails": [f"a{n}@x.io" for n in range(11)]}, "billing_emails"),
        ({**CYBERTRON, "payment_terms_days": 366}, "payment_terms_days"),
        ({**CYBERTRON, "payment_terms_days": -1}, "payment_terms_days"),
        ({**CYBERTRON, "payment_terms_days": 10**30}, "payment_terms_days"),
        ({**CYBERTRON, "payment_terms_days": "soon"}, "payment_terms_days"),
        ({**CYBERTRON, "legal_name": "x" * 201}, "legal_name"),
        ({**CYBERTRON, "purchase_order": "PO\x00"}, "purchase_order"),
        ({k: v for k, v in CYBERTRON.items() if k != "name"}, "name"),
    ]
    for body, field in cases:
        error = error_of(
            client.post(f"{ADMIN}/organisations", json=body, headers=admin.headers), 400
        )
        assert error.get("field") == field, (body, error)
    assert all_pages(client, admin, "/organisations") == []


def test_billing_details(client: TestClient, admin: Caller) -> None:
    details = {
        "legal_name": "Cybertron Logistics Pty Ltd",
        "billing_emails": ["ap@cybertron.example", "AP@cybertron.example", "cfo@cybertron.example"],
        "purchase_order": "PO-4471",
        "payment_terms_days": 30,
    }
    created = ok(
        client.post(f"{ADMIN}/organisations", json={**CYBERTRON, **details}, headers=admin.headers),
        201,
    )
    assert created["billing_emails"] == ["ap@cybertron.example", "cfo@cybertron.example"]
    assert (created["legal_name"], created["purchase_order"], created["payment_terms_days"]) == (
        "Cybertron Logistics Pty Ltd",
        "PO-4471",
        30,
    )
    changed = ok(
        client.patch(
            f"{ADMIN}/organisations/{created['uuid']}",
            json={"billing_emails": [], "purchase_order": "", "payment_terms_days": 0},
            headers=admin.headers,
        )
    )
    assert (changed["billing_emails"], changed["purchase_order"]) == ([], None)
    assert (changed["payment_terms_days"], changed["legal_name"]) == (0, details["legal_name"])
    default = ok(
        client.post(f"{ADMIN}/organisations", json={"name": "Plain"}, headers=admin.headers), 201
    )
    assert (default["payment_terms_days"], default["billing_emails"]) == (14, [])


def test_a_duplicate_name_is_409_naming_the_field(client: TestClient, admin: Caller) -> None:
    ok(client.post(f"{ADMIN}/organisations", json=CYBERTRON, headers=admin.headers), 201)
    again = client.post(f"{ADMIN}/organisations", json=CYBERTRON, headers=admin.headers)
    assert error_of(again, 409)["field"] == "name"


def test_an_idempotency_key_makes_one_organisation(client: TestClient, admin: Caller) -> None:
    headers = {**admin.headers, "Idempotency-Key": "create-cybertron-1"}
    first = client.post(f"{ADMIN}/organisations", json=CYBERTRON, headers=headers)
    second = client.post(f"{ADMIN}/organisations", json=CYBERTRON, headers=headers)
    assert ok(first, 201) == ok(second, 201)
    other = client.post(
        f"{ADMIN}/organisations", json={**CYBERTRON, "name": "Other"}, headers=headers
    )
    assert error_of(other, 422)["code"] == "idempotency_key_reused"
    assert len(all_pages(client, admin, "/organisations")) == 1


def test_roles(client: TestClient, engine: Engine, admin: Caller) -> None:
    org = ok(client.post(f"{ADMIN}/organisations", json=CYBERTRON, headers=admin.headers), 201)
    billing, support = account(engine, "billing"), account(engine, "support")
    url = f"{ADMIN}/organisations/{org['uuid']}"
    assert (
        error_of(
            client.post(f"{ADMIN}/organisations", json={"name": "B"}, headers=billing.headers), 403
        )["code"]
        == "forbidden"
    )
    ok(client.patch(url, json={"vehicle_fee": "6"}, headers=billing.headers))
    error_of(client.patch(url, json={"vehicle_fee": "7"}, headers=support.headers), 403)
    ok(client.get(url, headers=support.headers))
