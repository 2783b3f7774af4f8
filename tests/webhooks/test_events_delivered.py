"""End to end: every event type, made by the domain change that causes it, arrives at a
receiver on loopback signed with the organisation's secret, in its documented shape, and
only at the organisation it is about."""

import json
import random
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fleetcharge.billing import Period, approve_invoices, draft_invoices
from fleetcharge.billing.payments import record_payment, void_invoice
from fleetcharge.charging import events as session_events
from fleetcharge.client import verify_webhook
from fleetcharge.db import unit_of_work
from fleetcharge.fleets import cards, vehicle_records
from fleetcharge.fleets.admin_schemas import VehicleCreate, VehicleUpdate
from fleetcharge.models import ConnectorStatus, Organisation
from fleetcharge.permissions import Actor
from fleetcharge.settings import Settings
from fleetcharge.webhook_events.schemas import EVENT_MODELS
from fleetcharge.webhooks import emitters
from fleetcharge.webhooks.dispatcher import Dispatcher
from fleetcharge.webhooks.event_types import SUBSCRIPTION_DISABLED
from fleetcharge.webhooks.service import disable_subscription
from tests import factories as f
from tests.webhooks.events import events, validator
from tests.webhooks.factories import subscription
from tests.webhooks.receiver import receiver

SYDNEY = ZoneInfo("Australia/Sydney")
ADMIN = Actor.command_line()
AT = datetime(2024, 6, 10, tzinfo=UTC)


def _every_change(db: Session, payer: Organisation, host: Organisation) -> None:
    """One change of each kind, through the services that make them (the central system's
    own paths are tested in tests/csms/test_webhook_events.py)."""
    fleet = f.fleet(db, payer)
    body = VehicleCreate(fleet_uuid=fleet.uuid, vin="1N6AA0CA7AN312713", registration_number="B1")
    vehicle = vehicle_records.create_vehicle(db, ADMIN, body)
    charging = f.vehicle(db, fleet)
    site = f.site(db, host)
    session = f.charge(db, site, f.driver(db, charging), datetime(2024, 6, 10, tzinfo=SYDNEY))
    session_events.session_completed(db, session)
    status = ConnectorStatus(
        station_id=site.station.id,
        connector_number=1,
        status="Faulted",
        error_code="GroundFailure",
        status_at=AT,
        received_at=AT,
    )
    db.add(status)
    db.flush()
    emitters.station_status(db, status)
    for online in (False, True):
        emitters.station_presence(db, site.station.id, online, AT)
    draft_invoices(db, Period(2024, 6))
    documents = approve_invoices(db)
    (fleet_invoice,) = [i for i in documents if i.kind == "fleet"]
    record_payment(db, fleet_invoice, fleet_invoice.total_amount, date(2024, 7, 10))
    (rcti,) = [i for i in documents if i.kind == "rcti"]
    void_invoice(db, rcti)
    vehicle_records.update_vehicle(db, ADMIN, vehicle, VehicleUpdate(registration_number="B2"))
    retire = VehicleUpdate(effective_to=date(2030, 1, 1))
    vehicle_records.update_vehicle(db, ADMIN, vehicle, retire)
    cards.set_blocked(db, ADMIN, charging.cards[0], True)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_event_type_arrives_signed_and_as_documented(engine: Engine) -> None:
    with receiver() as hooks:
        with unit_of_work(engine) as db:
            payer, host, bystander = (f.organisation(db) for _ in range(3))
            secrets = {}
            for org in (payer, host, bystander):
                _, secrets[org.id] = subscription(db, org, url=f"{hooks.url}/{org.id}")
            _every_change(db, payer, host)
        dispatcher = Dispatcher(engine, settings=Settings(), rng=random.Random(1), name="e2e")
        try:
            while dispatcher.run_once():
                pass
        finally:
            dispatcher.close()

    told: dict[int, list[dict]] = {}
    for request in hooks.received:
        organisation_id = int(request.path.rsplit("/", 1)[-1])
        signature = request.headers["Fleetcharge-Signature"]
        event = verify_webhook(request.body, signature, secrets[organisation_id])
        assert event == json.loads(request.body)
        assert not list(validator(event["type"]).iter_errors(event)), event
        assert request.headers["Fleetcharge-Event-Type"] == event["type"]
        told.setdefault(organisation_id, []).append(event)
    assert bystander.id not in told
    # The dispatcher's own notice is tested with the dispatcher (tests/webhooks).
    domain_types = set(EVENT_MODELS) - {SUBSCRIPTION_DISABLED}
    assert {e["type"] for events in told.values() for e in events} == domain_types
    host_types = {e["type"] for e in told[host.id]}
    assert {"station.status_changed", "station.online", "station.offline"} <= host_types
    assert not any(e["type"].startswith(("vehicle.", "card.")) for e in told[host.id])
    assert not any(e["type"].startswith("station.") for e in told[payer.id])


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_disabled_notice_is_as_documented(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        failing, _ = subscription(db, org)
        subscription(db, org)
        disable_subscription(db, failing, reason="failing for 3 days", notify=True)
        (notice,) = events(db, SUBSCRIPTION_DISABLED)  # validated against the schema
        assert notice["data"]["id"] == str(failing.uuid)
