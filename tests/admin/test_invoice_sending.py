"""POST /invoices/{number}/send and GET /invoices/{number}/sendings, through a real SMTP
server on loopback."""

import pytest
import schemathesis
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from fleetcharge.settings import get_settings
from fleetcharge.web.app import create_app
from tests import factories as f
from tests.admin.documented import Script
from tests.admin.helpers import ADMIN, account
from tests.api.helpers import UNLIMITED
from tests.mailbox import Mailbox
from tests.servers import free_port


def billed(engine: Engine, emails: list[str]) -> int:
    with unit_of_work(engine) as db:
        org = f.organisation(db, "Fleet Co")
        org.billing_emails = emails
        number = f.invoice(db, org).invoice_number
        assert number is not None
        return number


def test_billing_sends_once_and_reads_the_sendings(
    client: TestClient, engine: Engine, mailbox: Mailbox, smtp_env: dict[str, str]
) -> None:
    number = billed(engine, ["ap@fleetco.test"])
    billing = account(engine, "billing")
    send = f"{ADMIN}/invoices/{number}/send"

    preview = client.post(send, json={"dry_run": True}, headers=billing.headers)
    assert preview.status_code == 200, preview.text
    assert preview.json()["recipients"] == ["ap@fleetco.test"] and mailbox.envelopes == []

    first = client.post(send, headers=billing.headers)
    assert first.status_code == 201, first.text
    view = first.json()
    assert (view["result"], view["kind"], view["forced"]) == ("sent", "sending", False)
    assert view["actor"]["role"] == "billing" and view["recipients"] == ["ap@fleetco.test"]
    assert len(mailbox.envelopes) == 1

    again = client.post(send, headers=billing.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_sent"
    forced = client.post(send, json={"force": True}, headers=billing.headers)
    assert forced.status_code == 201 and forced.json()["forced"] is True
    assert len(mailbox.envelopes) == 2

    listed = client.get(f"{ADMIN}/invoices/{number}/sendings", headers=billing.headers)
    assert listed.status_code == 200
    assert [s["forced"] for s in listed.json()["data"]] == [False, True]
    assert listed.json()["pagination"] == {"total_entries": 2}
    audit = client.get(f"{ADMIN}/audit-events?resource=invoices", headers=billing.headers)
    assert [e["action"] for e in audit.json()["data"]] == ["send", "send"]


def test_every_answer_is_as_documented(
    client: TestClient,
    engine: Engine,
    mailbox: Mailbox,
    smtp_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Successes and refusals, each response validated against the OpenAPI document."""
    number = billed(engine, [])
    admin, support = account(engine, "admin"), account(engine, "support")
    schema = schemathesis.openapi.from_asgi(f"{ADMIN}/openapi.json", create_app(engine, UNLIMITED))
    script = Script(client, schema)
    send, listing = "/invoices/{number}/send", "/invoices/{number}/sendings"
    h = admin.headers

    def error(status: int, path: str, body: object = None, headers: object = None) -> str:
        answer = script.call("POST", path, send, status, json=body, headers=headers or h)
        return str(answer["error"]["code"]) + " " + str(answer["error"].get("field"))

    assert error(403, f"/invoices/{number}/send", headers=support.headers).startswith("forbidden")
    assert error(409, f"/invoices/{number}/send").startswith("no_billing_contacts")
    assert error(400, "/invoices/0/send") == "invalid_parameter None"
    assert error(400, f"/invoices/{2**63}/send").startswith("invalid_parameter")
    assert error(400, "/invoices/abc/send").startswith("invalid_parameter")
    assert error(404, "/invoices/99999999/send").startswith("not_found")
    assert error(400, f"/invoices/{number}/send", {"force": "maybe"}) == "invalid_field force"
    assert error(400, f"/invoices/{number}/send", {"bcc": "x"}).startswith("invalid_field")
    script.call("GET", "/invoices/99999999/sendings", listing, 404, headers=h)

    with unit_of_work(engine) as db:
        org = f.organisation(db, "Other Co")
        org.billing_emails = ["ap@other.test"]
        other = f.invoice(db, org).invoice_number
    path = f"/invoices/{other}/send"
    preview = script.call("POST", path, send, 200, json={"dry_run": True}, headers=h)
    assert preview["recipients"] == ["ap@other.test"]
    monkeypatch.setenv("FLEETCHARGE_SMTP_PORT", str(free_port()))  # nothing listens there
    get_settings.cache_clear()
    assert error(502, path).startswith("sending_failed")
    listed = script.call("GET", f"/invoices/{other}/sendings?limit=1", listing, 200, headers=h)
    assert [s["result"] for s in listed["data"]] == ["failed"]
    monkeypatch.delenv("FLEETCHARGE_SMTP_HOST")
    get_settings.cache_clear()
    assert error(503, path).startswith("sending_unavailable")
    monkeypatch.setenv("FLEETCHARGE_SMTP_HOST", mailbox.host)
    monkeypatch.setenv("FLEETCHARGE_SMTP_PORT", str(mailbox.port))
    get_settings.cache_clear()
    sent = script.call("POST", path, send, 201, json={"force": False}, headers=h)
    assert sent["result"] == "sent" and mailbox.envelopes[0].rcpt_tos == ["ap@other.test"]
    assert error(409, path).startswith("already_sent")
    script.assert_covers("/invoices")
