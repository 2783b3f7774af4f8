"""`fleetcharge webhooks create | list | show | update | rotate-secret | disable | enable |
deliveries | delivery | redeliver` against a real database."""

import json
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from typer.testing import Result

from fleetcharge.client import verify_webhook
from fleetcharge.db import unit_of_work
from fleetcharge.models import AuditEvent, WebhookAttempt, WebhookDelivery, WebhookSubscription
from fleetcharge.models.base import utcnow
from fleetcharge.webhooks.outbox import emit
from fleetcharge.webhooks.service import signing_secrets
from tests import factories as f
from tests.cli.conftest import Cli
from tests.webhooks.receiver import receiver

ORG = "Cybertron Logistics"
HOOK = "http://127.0.0.1:9/hook"
SECRET = re.compile(r"whsec_[A-Za-z0-9_-]{43}")


@pytest.fixture
def org_id(engine: Engine) -> int:
    with unit_of_work(engine) as db:
        return f.organisation(db, ORG).id


def succeeded(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def failed(result: Result, *fragments: str) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    text = " ".join(result.output.split())
    for fragment in fragments:
        assert fragment in text, text
    return text


def secret_of(output: str) -> str:
    last = [line for line in output.splitlines() if line.strip()][-1]
    assert SECRET.fullmatch(last), output
    return last


def test_a_subscription_round_trip(cli: Cli, engine: Engine, org_id: int) -> None:
    made = cli(
        "webhooks",
        "create",
        ORG,
        "--url",
        HOOK,
        "--events",
        "session.completed,invoice.paid",
        "--json",
    )
    view = json.loads(succeeded(made))
    first = view.pop("secret")
    assert SECRET.fullmatch(first) and view["event_types"] == ["session.completed", "invoice.paid"]
    subscription = view["uuid"]

    text = cli(
        "webhooks",
        "create",
        ORG,
        "--url",
        HOOK + "/all",
        "--events",
        "all",
        "--description",
        "everything",
    )
    other_secret = secret_of(succeeded(text))
    assert "not shown again" in text.stdout and other_secret != first

    listed = succeeded(cli("webhooks", "list", "--org", ORG))
    assert subscription in listed and HOOK + "/all" in listed and "whsec_" not in listed
    assert len(json.loads(succeeded(cli("webhooks", "list", "--json")))) == 2
    shown = succeeded(cli("webhooks", "show", subscription))
    assert f"url: {HOOK}" in shown and "whsec_" not in shown and ORG in shown

    changed = json.loads(
        succeeded(cli("webhooks", "update", subscription, "--events", "all", "--json"))
    )
    assert changed["event_types"] == ["*"] and changed["version"] == view["version"] + 1

    rotated = succeeded(cli("webhooks", "rotate-secret", subscription, "--overlap", "1h"))
    second = secret_of(rotated)
    assert "previous secret still signs until" in rotated
    with unit_of_work(engine) as db:
        stored = db.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id)).first()
        assert stored is not None
        assert signing_secrets(stored) == [second, first]
        assert signing_secrets(stored, utcnow() + timedelta(hours=2)) == [second]

    assert "disabled (disabled by cli:" in succeeded(cli("webhooks", "disable", subscription))
    assert json.loads(succeeded(cli("webhooks", "enable", subscription, "--json")))["enabled"]
    with unit_of_work(engine) as db:
        actions = db.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.resource == "webhook_subscription")
            .order_by(AuditEvent.id)
        ).all()
        assert actions == ["create", "create", "update", "rotate_secret", "disable", "enable"]


def test_deliveries_and_redelivery(cli: Cli, engine: Engine, org_id: int) -> None:
    subscription = json.loads(
        succeeded(cli("webhooks", "create", ORG, "--url", HOOK, "--events", "all", "--json"))
    )["uuid"]
    assert "No deliveries." in succeeded(cli("webhooks", "deliveries", subscription))
    with unit_of_work(engine) as db:
        event = emit(db, organisation_id=org_id, event_type="invoice.paid", data={"n": 1})
        assert event is not None
        delivery = db.scalars(select(WebhookDelivery)).one()
        delivery.status, delivery.attempts, delivery.last_error = "failed", 1, "timed out"
        db.add(
            WebhookAttempt(
                delivery_id=delivery.id, started_at=utcnow(), latency_ms=10_000, error="timed out"
            )
        )
        delivery_uuid, event_uuid = str(delivery.uuid), str(event.uuid)

    listed = succeeded(cli("webhooks", "deliveries", subscription, "--status", "failed"))
    assert delivery_uuid in listed and "invoice.paid" in listed and "timed out" in listed
    assert (
        json.loads(
            succeeded(cli("webhooks", "deliveries", subscription, "--status", "pending", "--json"))
        )
        == []
    )
    shown = succeeded(cli("webhooks", "delivery", delivery_uuid))
    assert event_uuid in shown and "timed out in 10000 ms" in shown

    again = succeeded(cli("webhooks", "redeliver", delivery_uuid))
    assert "pending again" in again
    view = json.loads(succeeded(cli("webhooks", "delivery", delivery_uuid, "--json")))
    assert view["status"] == "pending" and len(view["attempt_log"]) == 1 and view["attempts"] == 0

    later = json.loads(
        succeeded(
            cli("webhooks", "create", ORG, "--url", HOOK, "--events", "card.blocked", "--json")
        )
    )["uuid"]
    sent = json.loads(
        succeeded(cli("webhooks", "redeliver", "--event", event_uuid, "--to", later, "--json"))
    )
    assert sent["subscription_uuid"] == later and sent["event"]["uuid"] == event_uuid
    failed(
        cli("webhooks", "redeliver", "--event", str(uuid.uuid4()), "--to", later),
        "--event: no event",
    )
    failed(cli("webhooks", "redeliver", "--event", event_uuid), "--to SUBSCRIPTION_UUID")
    failed(
        cli("webhooks", "redeliver", delivery_uuid, "--event", event_uuid, "--to", later),
        "give a DELIVERY_UUID",
    )


def test_bad_input_is_one_line_and_exit_code_2(cli: Cli, org_id: int) -> None:
    failed(
        cli("webhooks", "create", ORG, "--url", "ftp://x", "--events", "all"), "--url", "https://"
    )
    failed(
        cli("webhooks", "create", ORG, "--url", HOOK, "--events", "session.begun"),
        "--events",
        "unknown event type 'session.begun'",
    )
    failed(cli("webhooks", "create", ORG, "--url", HOOK, "--events", ","), "--events")
    failed(cli("webhooks", "create", "Nobody", "--url", HOOK, "--events", "all"), "Nobody")
    failed(cli("webhooks", "create", ORG, "--events", "all"), "--url")
    failed(cli("webhooks", "show", "nope"), "'nope' is not a subscription UUID")
    failed(cli("webhooks", "show", str(uuid.uuid4())), "no webhook subscription")
    failed(cli("webhooks", "redeliver", "12"), "not a delivery UUID")
    failed(cli("webhooks", "redeliver", str(uuid.uuid4())), "no webhook delivery")
    subscription = json.loads(
        succeeded(cli("webhooks", "create", ORG, "--url", HOOK, "--events", "all", "--json"))
    )["uuid"]
    failed(cli("webhooks", "update", subscription), "nothing to change")
    failed(cli("webhooks", "update", subscription, "--url", "https://x y"), "--url")
    failed(
        cli("webhooks", "rotate-secret", subscription, "--overlap", "forever"),
        "--overlap",
        "30 days",
    )
    failed(
        cli("webhooks", "deliveries", subscription, "--status", "lost"),
        "--status",
        "pending, delivered, failed",
    )
    help_text = succeeded(cli("webhooks", "create", "--help"))
    assert "session.completed" in help_text and "once" in help_text


def test_listen_forwards_the_subscriptions_events_signed(
    cli: Cli, engine: Engine, org_id: int
) -> None:
    made = cli("webhooks", "create", ORG, "--url", HOOK, "--events", "invoice.paid", "--json")
    view = json.loads(succeeded(made))
    with unit_of_work(engine) as db:
        for n in range(3):
            emit(db, organisation_id=org_id, event_type="invoice.paid", data={"n": n})
        emit(db, organisation_id=org_id, event_type="card.blocked", data={})  # not its type
    with receiver() as local:
        quiet = succeeded(
            cli("webhooks", "listen", view["uuid"], "--forward-to", local.url, "--once")
        )
        assert local.received == [] and quiet == ""  # without --replay: only new events
        forwarded = cli(
            "webhooks", "listen", view["uuid"], "--forward-to", local.url, "--once", "--replay"
        )
        assert succeeded(forwarded).count("invoice.paid") == 3 and "200 OK" in forwarded.stdout
        events = [
            verify_webhook(r.body, r.headers["Fleetcharge-Signature"], view["secret"])
            for r in local.received
        ]
    assert [e["data"] for e in events] == [{"n": 0}, {"n": 1}, {"n": 2}]
    with unit_of_work(engine) as db:  # delivery itself is untouched
        assert set(db.scalars(select(WebhookDelivery.status))) == {"pending"}
    failed(
        cli("webhooks", "listen", view["uuid"], "--forward-to", "localhost:3000"), "--forward-to"
    )
    failed(
        cli("webhooks", "listen", str(uuid.uuid4()), "--forward-to", HOOK),
        "no webhook subscription",
    )
