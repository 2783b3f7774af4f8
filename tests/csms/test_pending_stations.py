"""Auto-registered stations are pending: BootNotification is answered Pending, their sessions
are recorded but held (not on the Fleets API, not billed) until an operator approves the
station; and no client can create more of them than the auto-registration limit allows."""

import asyncio
from collections.abc import Callable
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient, WebSocketDenialResponse
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from fleetcharge.billing.period import Period
from fleetcharge.billing.service import draft_invoices
from fleetcharge.db import unit_of_work
from fleetcharge.models import ChargeSession, InvoiceSession, OcppTransaction, Station
from fleetcharge.models.review import SessionReview
from tests.admin.helpers import ADMIN, account, ok
from tests.api.helpers import get_page, records
from tests.csms.conftest import NOW, Network
from tests.csms.helpers import FakeClock, connected, login
from tests.servers import running_server

BOOT = {"chargePointVendor": "Acme", "chargePointModel": "AC22"}


def usage(client: TestClient, network: Network) -> list[dict[str, object]]:
    return records(get_page(client, "usage", network.payer_token), "usage")


def billed(engine: Engine, network: Network, period: Period) -> set[int]:
    """Sessions on the payer's fleet invoice for the period (drafted now)."""
    with unit_of_work(engine) as db:
        invoices = draft_invoices(db, period, [network.payer_id])
        ids = [i.id for i in invoices]
        return set(
            db.scalars(select(InvoiceSession.session_id).where(InvoiceSession.invoice_id.in_(ids)))
        )


def test_a_pending_station_charges_but_nothing_is_billed_until_it_is_approved(
    make_app: Callable[..., FastAPI], engine: Engine, network: Network, clock: FakeClock
) -> None:
    app = make_app(ocpp_auto_register_location=network.location_uuid)
    admin = account(engine, "admin").headers
    with TestClient(app) as client:
        with connected(client, "NEW-CP-1", clock) as cp:
            boot = cp.result("BootNotification", BOOT)
            assert (boot["status"], boot["interval"]) == ("Pending", 60)
            started = cp.start(network.id_tag, 0, NOW)
            assert started["idTagInfo"] == {"status": "Accepted"}
            cp.meter(6000, NOW + timedelta(minutes=20), transaction_id=started["transactionId"])
            answer = cp.stop(started["transactionId"], 9000, NOW + timedelta(minutes=30))
            assert answer == {}
        with unit_of_work(engine) as db:
            tx = db.get(OcppTransaction, started["transactionId"])
            assert tx is not None and tx.state == "stopped" and tx.meter_stop_wh == 9000
            assert (tx.session_id, tx.flags) == (None, ["held_pending_station"])
            station = db.scalar(select(Station).where(Station.ocpp_identity == "NEW-CP-1"))
            assert station is not None
            uuid = str(station.uuid)
        assert usage(client, network) == []
        assert billed(engine, network, Period(2025, 3)) == set()  # March drafted without it

        listed = ok(client.get(f"{ADMIN}/stations?status=pending", headers=admin))
        assert [s["identity"] for s in listed["data"]] == ["NEW-CP-1"]
        approved = ok(client.post(f"{ADMIN}/stations/{uuid}/approve", headers=admin))
        assert (approved["status"], approved["sessions_recorded"]) == ("active", 1)
        again = ok(client.post(f"{ADMIN}/stations/{uuid}/approve", headers=admin))
        assert again["sessions_recorded"] == 0

        (charge,) = usage(client, network)
        assert charge["consumption"] == 9  # 30 minutes at up to 22 kW
        with unit_of_work(engine) as db:
            tx = db.get(OcppTransaction, started["transactionId"])
            assert tx is not None and tx.session_id is not None
            assert "held_pending_station" in tx.flags
            session_id = tx.session_id
        # March was invoiced before the approval: the session goes on the next invoice.
        assert billed(engine, network, Period(2025, 4)) == {session_id}

        with connected(client, "NEW-CP-1", clock) as cp:
            boot = cp.result("BootNotification", BOOT)
            assert (boot["status"], boot["interval"]) == ("Accepted", 300)


def test_an_implausible_session_of_a_pending_station_is_held_for_review_once_approved(
    make_app: Callable[..., FastAPI], engine: Engine, network: Network, clock: FakeClock
) -> None:
    """A forged charge, 20 kWh in half an hour at an auto-registered 22 kW station (11 kWh
    at most). Pending, it is recorded and held; approved, it is judged like any other."""
    app = make_app(ocpp_auto_register_location=network.location_uuid)
    admin = account(engine, "admin").headers
    with TestClient(app) as client:
        with connected(client, "NEW-CP-2", clock) as cp:
            plausible = cp.start(network.id_tag, 0, NOW)["transactionId"]
            cp.stop(plausible, 5000, NOW + timedelta(minutes=30))
            forged = cp.start(network.id_tag, 0, NOW + timedelta(hours=1))["transactionId"]
            cp.stop(forged, 20_000, NOW + timedelta(hours=1, minutes=30))
        with unit_of_work(engine) as db:
            station = db.scalar(select(Station).where(Station.ocpp_identity == "NEW-CP-2"))
            assert station is not None
            uuid = str(station.uuid)
        approved = ok(client.post(f"{ADMIN}/stations/{uuid}/approve", headers=admin))
        assert approved["sessions_recorded"] == 1
        (charge,) = usage(client, network)
        assert charge["consumption"] == 5
        with unit_of_work(engine) as db:
            tx = db.get(OcppTransaction, forged)
            assert tx is not None and tx.session_id is None
            assert {"held_pending_station", "held_for_review"} <= set(tx.flags)
            review = db.scalar(select(SessionReview).where(SessionReview.transaction_id == forged))
            assert review is not None and review.state == "held"


def test_new_stations_beyond_the_limit_are_refused(
    make_app: Callable[..., FastAPI], engine: Engine, network: Network, clock: FakeClock
) -> None:
    app = make_app(
        ocpp_auto_register_location=network.location_uuid, ocpp_auto_register_limit="3/minute"
    )
    statuses = []
    with TestClient(app) as client:
        for n in range(5):
            try:
                with connected(client, f"NEW-CP-{n}", clock):
                    statuses.append(101)
            except WebSocketDenialResponse as refusal:
                statuses.append(refusal.status_code)
                assert "too many new charge stations: try again in" in refusal.text
        # Known stations still connect.
        with connected(client, network.identity, clock) as cp:
            assert cp.result("BootNotification", BOOT)["status"] == "Accepted"
    assert statuses == [101, 101, 101, 429, 429]
    with unit_of_work(engine) as db:
        created = db.scalars(
            select(Station.registration_status).where(Station.name.like("NEW-CP-%"))
        )
        assert sorted(created) == ["pending"] * 3


def test_one_client_cannot_create_hundreds_of_stations(
    database_url: str, engine: Engine, network: Network
) -> None:
    """The issue's probe, over real sockets: 500 new identities as fast as one client can."""
    env = {"FLEETCHARGE_OCPP_AUTO_REGISTER_LOCATION": network.location_uuid}

    async def flood(url: str) -> list[int]:
        gate = asyncio.Semaphore(10)

        async def one(n: int) -> int:
            identity = f"FLOOD-{n:03d}"
            async with gate:
                try:
                    async with connect(
                        f"{url}/{identity}",
                        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
                        additional_headers=login(identity),  # its first password is kept
                    ):
                        return 101
                except InvalidStatus as refused:
                    return refused.response.status_code

        return list(await asyncio.gather(*(one(n) for n in range(500))))

    with running_server(database_url, env) as base:
        url = base.replace("http://", "ws://") + "/ocpp"
        statuses = asyncio.run(asyncio.wait_for(flood(url), 120))
    assert statuses.count(101) == 10  # the default limit, 10 a minute
    assert statuses.count(429) == 490
    with unit_of_work(engine) as db:
        created = db.scalars(
            select(Station.registration_status).where(Station.ocpp_identity.like("FLOOD-%"))
        ).all()
        assert created == ["pending"] * 10
        assert db.scalar(select(func.count()).select_from(ChargeSession)) == 0
