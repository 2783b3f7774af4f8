"""/webhook-subscriptions against the admin OpenAPI document: every operation scripted
(success, then its documented errors), each answer validated by schemathesis."""

import uuid
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import WebhookDelivery, WebhookSubscription
from fleetcharge.web.app import create_app
from fleetcharge.webhooks.outbox import emit
from tests import factories as f
from tests.admin.documented import Script
from tests.admin.helpers import ADMIN, Caller, account, member
from tests.api.helpers import UNLIMITED

MISSING = "00000000-0000-4000-8000-000000000000"
HOOK = "http://127.0.0.1:9/hook"


@pytest.fixture
def schema(engine: Engine) -> Iterator[schemathesis.schemas.BaseSchema]:
    yield schemathesis.openapi.from_asgi(f"{ADMIN}/openapi.json", create_app(engine, UNLIMITED))


def test_webhook_subscriptions_answer_as_documented(
    client: TestClient, engine: Engine, admin: Caller, schema: schemathesis.schemas.BaseSchema
) -> None:
    with unit_of_work(engine) as db:
        org = f.organisation(db, "Cybertron")
        reader = member(db, org, "read_only")
        org_id, org_uuid = org.id, str(org.uuid)
    billing = account(engine, "billing")
    script = Script(client, schema)
    call = script.call
    h = admin.headers

    every = "/webhook-subscriptions"
    body = {"organisation_uuid": org_uuid, "url": HOOK, "event_types": ["invoice.paid"]}
    created = call("POST", every, every, 201, json=body, headers=h)
    call("POST", every, every, 400, json={**body, "event_types": ["x"]}, headers=h)
    call("POST", every, every, 403, json=body, headers=reader.headers)
    keyed = {**h, "Idempotency-Key": "hook-1"}
    call("POST", every, every, 201, json=body, headers=keyed)
    call("POST", every, every, 422, json={**body, "url": HOOK + "2"}, headers=keyed)
    call("GET", f"{every}?organisation_uuid={org_uuid}&enabled=true&limit=1", every, 200, headers=h)
    call("GET", every, every, 403, headers=billing.headers)
    call("GET", every, every, 401, headers={})

    one = f"{every}/{created['uuid']}"
    template = "/webhook-subscriptions/{uuid}"
    call("GET", one, template, 200, headers=reader.headers)
    call("GET", f"{every}/{MISSING}", template, 404, headers=h)
    stale = {**h, "If-Match": f'"{created["version"]}"'}
    call("PATCH", one, template, 200, json={"description": "d"}, headers=stale)
    call("PATCH", one, template, 412, json={"description": "e"}, headers=stale)
    call("PATCH", one, template, 400, json={"url": "ftp://x"}, headers=h)
    rotate = f"{template}/rotate-secret"
    call("POST", f"{one}/rotate-secret", rotate, 200, json={"overlap": "1h"}, headers=h)
    call("POST", f"{one}/rotate-secret", rotate, 200, headers=h)
    call("POST", f"{one}/rotate-secret", rotate, 400, json={"overlap": "soon"}, headers=h)
    call("POST", f"{every}/{MISSING}/rotate-secret", rotate, 404, headers=h)

    with unit_of_work(engine) as db:
        emit(db, organisation_id=org_id, event_type="invoice.paid", data={"number": "INV-1"})
        mine = select(WebhookSubscription.id).where(
            WebhookSubscription.uuid == uuid.UUID(created["uuid"])
        )
        delivery_uuid = str(
            db.scalars(
                select(WebhookDelivery.uuid).where(
                    WebhookDelivery.subscription_id == mine.scalar_subquery()
                )
            ).one()
        )
    deliveries = f"{template}/deliveries"
    call("GET", f"{one}/deliveries?status=pending", deliveries, 200, headers=h)
    call("GET", f"{one}/deliveries?status=lost", deliveries, 400, headers=h)
    call("GET", f"{every}/{MISSING}/deliveries", deliveries, 404, headers=h)
    delivery = "/webhook-subscriptions/deliveries/{uuid}"
    call("GET", f"{every}/deliveries/{delivery_uuid}", delivery, 200, headers=h)
    call("GET", f"{every}/deliveries/{MISSING}", delivery, 404, headers=h)
    redeliver = f"{delivery}/redeliver"
    call("POST", f"{every}/deliveries/{delivery_uuid}/redeliver", redeliver, 200, headers=h)
    call(
        "POST",
        f"{every}/deliveries/{delivery_uuid}/redeliver",
        redeliver,
        403,
        headers=reader.headers,
    )

    again = f"{template}/redeliver"
    with unit_of_work(engine) as db:
        event = emit(db, organisation_id=org_id, event_type="invoice.paid", data={})
        assert event is not None
        event_body = {"event_uuid": str(event.uuid)}
    call("POST", f"{one}/redeliver", again, 200, json=event_body, headers=h)
    call("POST", f"{one}/redeliver", again, 404, json={"event_uuid": MISSING}, headers=h)
    call("POST", f"{one}/redeliver", again, 400, json={}, headers=h)
    call("POST", f"{one}/disable", f"{template}/disable", 200, headers=h)
    call("POST", f"{one}/redeliver", again, 409, json=event_body, headers=h)
    call("POST", f"{every}/deliveries/{delivery_uuid}/redeliver", redeliver, 409, headers=h)
    call("POST", f"{one}/enable", f"{template}/enable", 200, headers=h)
    call("POST", f"{every}/{MISSING}/enable", f"{template}/enable", 404, headers=h)
    call("POST", f"{every}/{MISSING}/disable", f"{template}/disable", 404, headers=h)
    script.assert_covers(every)
