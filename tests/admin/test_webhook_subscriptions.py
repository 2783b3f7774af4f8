"""/webhook-subscriptions: an organisation's subscriptions created (the secret shown once),
listed, shown, changed, rotated, disabled and enabled, and their delivery log, by staff for
any organisation and by an organisation's member for its own only."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import (
    AuditEvent,
    IdempotentRequest,
    Organisation,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from fleetcharge.models.base import utcnow
from fleetcharge.settings import get_settings
from fleetcharge.webhooks.outbox import emit
from fleetcharge.webhooks.service import signing_secrets
from tests import factories as f
from tests.admin.helpers import ADMIN, Caller, all_pages, error_of, member, ok

SUBSCRIPTIONS = f"{ADMIN}/webhook-subscriptions"
DELIVERIES = f"{SUBSCRIPTIONS}/deliveries"
URL = "http://127.0.0.1:9/hooks"
MISSING = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class Two:
    """Two organisations (uuid and id), each with a fleet manager."""

    mine: str
    theirs: str
    mine_id: int
    theirs_id: int
    manager: Caller
    other_manager: Caller


@pytest.fixture
def two(engine: Engine) -> Two:
    with unit_of_work(engine) as db:
        mine, theirs = f.organisation(db, "Cybertron"), f.organisation(db, "Iacon")
        return Two(
            str(mine.uuid),
            str(theirs.uuid),
            mine.id,
            theirs.id,
            member(db, mine),
            member(db, theirs),
        )


def subscribe(client: TestClient, caller: Caller, **body: Any) -> dict[str, Any]:
    body = {"url": URL, "event_types": ["session.completed"], **body}
    return dict(ok(client.post(SUBSCRIPTIONS, json=body, headers=caller.headers), 201))


def stored(engine: Engine, uuid: str) -> WebhookSubscription:
    with unit_of_work(engine) as db:
        found = db.scalars(select(WebhookSubscription)).all()
        (subscription,) = [s for s in found if str(s.uuid) == uuid]
        db.expunge(subscription)
        return subscription


def test_the_secret_is_shown_once_and_stored_sealed(
    client: TestClient, engine: Engine, admin: Caller, two: Two
) -> None:
    keyed = {**admin.headers, "Idempotency-Key": "hook-1"}
    body = {
        "organisation_uuid": two.mine,
        "url": URL,
        "event_types": ["session.completed", "invoice.paid", "session.completed"],
        "description": "depot dashboard",
    }
    created = ok(client.post(SUBSCRIPTIONS, json=body, headers=keyed), 201)
    secret = created.pop("secret")
    assert secret.startswith("whsec_") and len(secret) > 30
    assert created["event_types"] == ["session.completed", "invoice.paid"]
    assert created["organisation"] == {"uuid": two.mine, "name": "Cybertron"}
    assert created["enabled"] is True and created["description"] == "depot dashboard"
    # A retried create answers as the first did (same secret), and makes nothing more.
    again = ok(client.post(SUBSCRIPTIONS, json=body, headers=keyed), 201)
    assert again == {**created, "secret": secret}

    shown = ok(client.get(f"{SUBSCRIPTIONS}/{created['uuid']}", headers=admin.headers))
    assert shown == created and "secret" not in shown
    listed = all_pages(client, admin, "/webhook-subscriptions")
    assert listed == [created]
    with unit_of_work(engine) as db:
        (subscription,) = db.scalars(select(WebhookSubscription)).all()
        assert secret not in subscription.secret_sealed
        assert signing_secrets(subscription) == [secret]
        remembered = db.scalars(select(IdempotentRequest)).one()
        audited = db.scalars(
            select(AuditEvent).where(AuditEvent.resource_uuid == subscription.uuid)
        )
        assert secret not in str(remembered.response)
        assert [e.action for e in audited] == ["create"]
    assert secret not in str(all_pages(client, admin, "/audit-events"))


def test_rotation_keeps_the_previous_secret_signing_for_the_overlap(
    client: TestClient, engine: Engine, admin: Caller, two: Two
) -> None:
    created = subscribe(client, admin, organisation_uuid=two.mine)
    first = created["secret"]
    rotate = f"{SUBSCRIPTIONS}/{created['uuid']}/rotate-secret"
    rotated = ok(client.post(rotate, json={"overlap": "2h"}, headers=admin.headers))
    second = rotated.pop("secret")
    assert second != first and second.startswith("whsec_")
    assert rotated["version"] == created["version"] + 1
    assert rotated["previous_secret_expires_at"] is not None
    subscription = stored(engine, created["uuid"])
    now = utcnow()
    assert signing_secrets(subscription, now) == [second, first]  # both sign meanwhile
    assert signing_secrets(subscription, now + timedelta(hours=1, minutes=59)) == [second, first]
    assert signing_secrets(subscription, now + timedelta(hours=2, seconds=1)) == [second]
    shown = ok(client.get(f"{SUBSCRIPTIONS}/{created['uuid']}", headers=admin.headers))
    assert "secret" not in shown and shown == rotated

    # The default overlap is the setting's 24 hours; a rotation drops the secret before.
    third = ok(client.post(rotate, headers=admin.headers))["secret"]
    later = stored(engine, created["uuid"])
    assert signing_secrets(later, now + timedelta(hours=23)) == [third, second]
    assert signing_secrets(later, now + timedelta(hours=25)) == [third]
    # No overlap: only the new one signs, from now.
    fourth = ok(client.post(rotate, json={"overlap": "0h"}, headers=admin.headers))
    assert fourth["previous_secret_expires_at"] is None
    assert signing_secrets(stored(engine, created["uuid"])) == [fourth["secret"]]

    for overlap in ("2 days", "31d", "-1h", "", "9" * 40):
        error = error_of(client.post(rotate, json={"overlap": overlap}, headers=admin.headers), 400)
        assert error["field"] == "overlap", overlap
    events = all_pages(client, admin, f"/audit-events?resource_uuid={created['uuid']}")
    assert [e["action"] for e in events] == ["create", *["rotate_secret"] * 3]
    assert not any(secret in str(events) for secret in (first, second, third))


def test_change_disable_and_enable(
    client: TestClient, engine: Engine, admin: Caller, two: Two
) -> None:
    created = subscribe(client, admin, organisation_uuid=two.mine, description="old")
    one = f"{SUBSCRIPTIONS}/{created['uuid']}"
    stale = {**admin.headers, "If-Match": f'"{created["version"]}"'}
    patch = {"url": "http://127.0.0.1:9/v2", "event_types": ["*"], "description": ""}
    changed = ok(client.patch(one, json=patch, headers=stale))
    assert changed["url"] == "http://127.0.0.1:9/v2" and changed["event_types"] == ["*"]
    assert changed["description"] is None
    assert error_of(client.patch(one, json={"description": "x"}, headers=stale), 412)
    assert ok(client.patch(one, json={"description": "kept"}, headers=admin.headers))[
        "event_types"
    ] == ["*"]

    with unit_of_work(engine) as db:
        assert emit(db, organisation_id=two.mine_id, event_type="invoice.paid", data={"n": 1})
    disabled = ok(client.post(f"{one}/disable", headers=admin.headers))
    assert disabled["enabled"] is False and disabled["disabled_at"] is not None
    assert disabled["disabled_reason"] == "disabled by admin account"
    assert ok(client.post(f"{one}/disable", headers=admin.headers)) == disabled
    with unit_of_work(engine) as db:  # a disabled subscription is sent nothing
        assert emit(db, organisation_id=two.mine_id, event_type="invoice.paid", data={}) is None
    assert [
        d["status"]
        for d in all_pages(client, admin, f"/webhook-subscriptions/{created['uuid']}/deliveries")
    ] == ["failed"]
    assert [
        s["uuid"] for s in all_pages(client, admin, "/webhook-subscriptions?enabled=false")
    ] == [created["uuid"]]

    with unit_of_work(engine) as db:  # as the dispatcher leaves one failing for days
        subscription = db.scalars(select(WebhookSubscription)).one()
        subscription.failing_since = utcnow() - timedelta(days=3)
    enabled = ok(client.post(f"{one}/enable", headers=admin.headers))
    assert enabled["enabled"] is True
    assert enabled["disabled_at"] is None and enabled["disabled_reason"] is None
    assert stored(engine, created["uuid"]).failing_since is None
    assert [s["uuid"] for s in all_pages(client, admin, "/webhook-subscriptions?enabled=true")] == [
        created["uuid"]
    ]
    events = all_pages(client, admin, f"/audit-events?resource_uuid={created['uuid']}")
    assert [e["action"] for e in events] == ["create", "update", "update", "disable", "enable"]
    assert events[1]["before"]["description"] == "old" and events[1]["after"]["url"] == patch["url"]


def _failed_delivery(engine: Engine, organisation_id: int) -> str:
    """An event whose one delivery failed after an attempt, as the dispatcher leaves it."""
    with unit_of_work(engine) as db:
        emit(db, organisation_id=organisation_id, event_type="session.completed", data={"id": 7})
        delivery = db.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id.desc())).first()
        assert delivery is not None
        delivery.status, delivery.attempts = "failed", 1
        delivery.first_attempt_at = utcnow() - timedelta(days=3)
        delivery.last_status_code, delivery.last_error = 500, "HTTP 500"
        db.add(
            WebhookAttempt(
                delivery_id=delivery.id,
                started_at=utcnow(),
                status_code=500,
                latency_ms=12,
                response_excerpt="oops",
            )
        )
        return str(delivery.uuid)


def test_redelivering_a_failed_delivery_keeps_its_attempts(
    client: TestClient, engine: Engine, admin: Caller, two: Two
) -> None:
    created = subscribe(client, admin, organisation_uuid=two.mine)
    listing = f"/webhook-subscriptions/{created['uuid']}/deliveries"
    with unit_of_work(engine) as db:
        emit(db, organisation_id=two.mine_id, event_type="session.completed", data={"id": 6})
    failed = _failed_delivery(engine, two.mine_id)
    newest_first = all_pages(client, admin, listing)
    assert [d["status"] for d in newest_first] == ["failed", "pending"]
    assert newest_first[0]["uuid"] == failed and newest_first[0]["next_attempt_at"] is None
    assert [d["uuid"] for d in all_pages(client, admin, f"{listing}?status=failed")] == [failed]
    assert all_pages(client, admin, f"{listing}?status=delivered") == []
    assert len(all_pages(client, admin, f"{listing}?limit=1")) == 2

    shown = ok(client.get(f"{DELIVERIES}/{failed}", headers=admin.headers))
    assert shown["payload"] == {"id": 7} and shown["event"]["type"] == "session.completed"
    assert [a["status_code"] for a in shown["attempt_log"]] == [500]
    assert shown["last_error"] == "HTTP 500" and shown["attempts"] == 1

    again = ok(client.post(f"{DELIVERIES}/{failed}/redeliver", headers=admin.headers))
    assert again["status"] == "pending" and again["next_attempt_at"] is not None
    assert again["attempt_log"] == shown["attempt_log"] and again["attempts"] == 0
    assert again["event"] == shown["event"]  # the same event id: receivers deduplicate
    with unit_of_work(engine) as db:
        delivery = db.scalars(
            select(WebhookDelivery).where(WebhookDelivery.status == "pending")
        ).all()
        assert len(delivery) == 2 and all(d.claimed_by is None for d in delivery)
        assert all(d.first_attempt_at is None for d in delivery)  # the window starts afresh
    events = all_pages(client, admin, f"/audit-events?resource_uuid={failed}")
    assert [(e["action"], e["before"]["status"]) for e in events] == [("redeliver", "failed")]

    one = f"{SUBSCRIPTIONS}/{created['uuid']}"
    ok(client.post(f"{one}/disable", headers=admin.headers))  # fails what is pending
    refused = error_of(client.post(f"{DELIVERIES}/{failed}/redeliver", headers=admin.headers), 409)
    assert "enable it first" in refused["message"]
    ok(client.post(f"{one}/enable", headers=admin.headers))
    assert (
        ok(client.post(f"{DELIVERIES}/{failed}/redeliver", headers=admin.headers))["status"]
        == "pending"
    )


def test_an_event_is_sent_to_a_subscription_that_never_had_it(
    client: TestClient, engine: Engine, admin: Caller, two: Two
) -> None:
    with unit_of_work(engine) as db:
        mine = emit(db, organisation_id=two.mine_id, event_type="invoice.paid", data={"n": 1})
        theirs = emit(db, organisation_id=two.theirs_id, event_type="invoice.paid", data={})
        assert mine is None and theirs is None  # nobody subscribed yet: nothing written
    earlier = subscribe(client, admin, organisation_uuid=two.mine, event_types=["invoice.paid"])
    with unit_of_work(engine) as db:
        event = emit(db, organisation_id=two.mine_id, event_type="invoice.paid", data={"n": 2})
        assert event is not None
        event_uuid = str(event.uuid)
    other = subscribe(client, admin, organisation_uuid=two.theirs, event_types=["*"])
    later = subscribe(client, two.manager, event_types=["card.blocked"])
    send = f"{SUBSCRIPTIONS}/{later['uuid']}/redeliver"

    made = ok(client.post(send, json={"event_uuid": event_uuid}, headers=two.manager.headers))
    assert made["status"] == "pending" and made["event"]["uuid"] == event_uuid
    assert made["payload"] == {"n": 2} and made["attempt_log"] == []
    again = ok(client.post(send, json={"event_uuid": event_uuid}, headers=two.manager.headers))
    assert again["uuid"] == made["uuid"]  # one delivery per event and subscription
    listed = all_pages(client, admin, f"/webhook-subscriptions/{earlier['uuid']}/deliveries")
    assert [d["event"]["uuid"] for d in listed] == [event_uuid]

    # Another organisation's event, or its subscription, is not found.
    theirs_send = f"{SUBSCRIPTIONS}/{other['uuid']}/redeliver"
    error = error_of(
        client.post(theirs_send, json={"event_uuid": event_uuid}, headers=admin.headers), 404
    )
    assert error["field"] == "event_uuid"
    error_of(
        client.post(theirs_send, json={"event_uuid": event_uuid}, headers=two.manager.headers), 404
    )
    for body, field in (({"event_uuid": "x"}, "event_uuid"), ({}, "event_uuid")):
        assert error_of(client.post(send, json=body, headers=admin.headers), 400)["field"] == field
    events = all_pages(client, admin, f"/audit-events?resource_uuid={made['uuid']}")
    assert [(e["action"], e["before"] is None) for e in events] == [
        ("redeliver", True),  # made
        ("redeliver", False),  # made pending again
    ]


def test_an_organisation_manages_its_own_subscriptions_only(
    client: TestClient, engine: Engine, admin: Caller, two: Two
) -> None:
    own = subscribe(client, two.manager)  # its own organisation, unnamed
    assert own["organisation"]["uuid"] == two.mine
    theirs = subscribe(client, admin, organisation_uuid=two.theirs)
    their_delivery = _failed_delivery(engine, two.theirs_id)
    mine = two.manager.headers

    assert [s["uuid"] for s in all_pages(client, two.manager, "/webhook-subscriptions")] == [
        own["uuid"]
    ]
    assert len(all_pages(client, admin, "/webhook-subscriptions")) == 2
    one = f"{SUBSCRIPTIONS}/{theirs['uuid']}"
    answers = [
        client.get(one, headers=mine),
        client.patch(one, json={"description": "mine now"}, headers=mine),
        client.post(f"{one}/rotate-secret", headers=mine),
        client.post(f"{one}/disable", headers=mine),
        client.post(f"{one}/enable", headers=mine),
        client.get(f"{one}/deliveries", headers=mine),
        client.get(f"{DELIVERIES}/{their_delivery}", headers=mine),
        client.post(f"{DELIVERIES}/{their_delivery}/redeliver", headers=mine),
        client.get(f"{SUBSCRIPTIONS}?organisation_uuid={two.theirs}", headers=mine),
        client.post(
            SUBSCRIPTIONS,
            json={"organisation_uuid": two.theirs, "url": URL, "event_types": ["*"]},
            headers=mine,
        ),
    ]
    assert [r.status_code for r in answers] == [404] * len(answers), [r.text for r in answers]
    assert "Iacon" not in str([r.text for r in answers])
    assert stored(engine, theirs["uuid"]).description is None  # nothing changed
    assert all_pages(client, two.manager, "/audit-events?resource=webhook_subscription") == [
        e for e in all_pages(client, admin, f"/audit-events?resource_uuid={own['uuid']}")
    ]

    with unit_of_work(engine) as db:
        reader = member(db, db.get_one(Organisation, two.mine_id), "read_only")
    assert len(all_pages(client, reader, "/webhook-subscriptions")) == 1
    refused = client.post(
        SUBSCRIPTIONS, json={"url": URL, "event_types": ["*"]}, headers=reader.headers
    )
    assert error_of(refused, 403)["code"] == "forbidden"


BAD_FIELDS: list[tuple[dict[str, Any], str]] = [
    ({"url": "ftp://example.com/x"}, "url"),
    ({"url": "not a url"}, "url"),
    ({"url": "https://example.com/a b"}, "url"),
    ({"url": "https://example.com/a\u00a0b"}, "url"),
    ({"url": "https://user:pw@example.com/"}, "url"),
    ({"url": "https://" + "a" * 2000 + ".com/"}, "url"),
    ({"event_types": ["session.started"]}, "event_types[0]"),
    ({"event_types": ["invoice.paid", ""]}, "event_types[1]"),
    ({"event_types": []}, "event_types"),
    ({"description": "x" * 201}, "description"),
    ({"organisation_uuid": None}, "organisation_uuid"),
    ({"url": None}, "url"),
    ({"event_types": "session.completed"}, "event_types"),
    ({"colour": "red"}, "colour"),
]


def test_bad_fields_are_named(client: TestClient, admin: Caller, two: Two) -> None:
    for body, field in BAD_FIELDS:
        sent = {"organisation_uuid": two.mine, "url": URL, "event_types": ["*"], **body}
        error = error_of(client.post(SUBSCRIPTIONS, json=sent, headers=admin.headers), 400)
        assert error["field"] == field, (body, error)
    unknown = {"organisation_uuid": MISSING, "url": URL, "event_types": ["*"]}
    error = error_of(client.post(SUBSCRIPTIONS, json=unknown, headers=admin.headers), 404)
    assert error["field"] == "organisation_uuid"
    created = subscribe(client, admin, organisation_uuid=two.mine)
    one = f"{SUBSCRIPTIONS}/{created['uuid']}"
    for body, field in (
        ({"url": None}, "url"),
        ({"event_types": None}, "event_types"),
        ({"event_types": ["*", "nope"]}, "event_types[1]"),
        ({"organisation_uuid": two.theirs}, "organisation_uuid"),
    ):
        error = error_of(client.patch(one, json=body, headers=admin.headers), 400)
        assert error["field"] == field, (body, error)
    assert all_pages(client, admin, "/webhook-subscriptions") == [
        {k: v for k, v in created.items() if k != "secret"}
    ]


def test_targets_are_checked_as_in_production_on_create_and_change(
    client: TestClient,
    admin: Caller,
    two: Two,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    created = subscribe(client, admin, organisation_uuid=two.mine)
    # From here on, targets as production checks them: https://, public addresses only.
    monkeypatch.setenv("FLEETCHARGE_WEBHOOKS_ALLOW_HTTP", "false")
    monkeypatch.setenv("FLEETCHARGE_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "false")
    get_settings.cache_clear()
    request.addfinalizer(get_settings.cache_clear)
    for url in (
        URL,  # http
        "https://127.0.0.1/hooks",
        "https://10.1.2.3/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hooks",
        "https://localhost/hooks",
    ):
        body = {"organisation_uuid": two.mine, "url": url, "event_types": ["*"]}
        error = error_of(client.post(SUBSCRIPTIONS, json=body, headers=admin.headers), 400)
        assert error["field"] == "url", (url, error)
        change = client.patch(
            f"{SUBSCRIPTIONS}/{created['uuid']}", json={"url": url}, headers=admin.headers
        )
        assert error_of(change, 400)["field"] == "url", url
    assert all_pages(client, admin, "/webhook-subscriptions") == [
        {k: v for k, v in created.items() if k != "secret"}
    ]


HOSTILE = [
    "/webhook-subscriptions/not-a-uuid",
    "/webhook-subscriptions/1",
    f"/webhook-subscriptions/{MISSING}",
    f"/webhook-subscriptions/{MISSING}/deliveries",
    "/webhook-subscriptions/deliveries/x",
    f"/webhook-subscriptions/deliveries/{MISSING}",
    "/webhook-subscriptions?limit=0",
    "/webhook-subscriptions?limit=99999999999999999999",
    "/webhook-subscriptions?cursor=%00",
    "/webhook-subscriptions?enabled=maybe",
    "/webhook-subscriptions?organisation_uuid=x",
    "/webhook-subscriptions/%0A",
]


def test_hostile_paths_and_parameters_are_refused(client: TestClient, admin: Caller) -> None:
    for path in HOSTILE:
        response = client.get(f"{ADMIN}{path}", headers=admin.headers)
        assert 400 <= response.status_code < 500, (path, response.text)
        assert set(response.json()) == {"error"}
    for path in (f"/deliveries/{MISSING}/redeliver", "/x%00/rotate-secret", "/1/disable"):
        response = client.post(f"{SUBSCRIPTIONS}{path}", headers=admin.headers)
        assert 400 <= response.status_code < 500, (path, response.text)


def test_hostile_delivery_filters_are_refused(client: TestClient, admin: Caller, two: Two) -> None:
    created = subscribe(client, admin, organisation_uuid=two.mine)
    listing = f"{SUBSCRIPTIONS}/{created['uuid']}/deliveries"
    for query, parameter in (
        ("status=lost", "status"),
        ("limit=501", "limit"),
        ("cursor=zz", "cursor"),
    ):
        error = error_of(client.get(f"{listing}?{query}", headers=admin.headers), 400)
        assert error["parameter"] == parameter, error
    assert error_of(client.post(f"{DELIVERIES}/{MISSING}/redeliver", headers=admin.headers), 404)
