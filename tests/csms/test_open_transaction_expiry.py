"""Open transactions nothing was heard of for FLEETCHARGE_OCPP_OPEN_TRANSACTION_EXPIRY_HOURS
are settled by a periodic sweep (time-controlled here: the sweep runs on the fake clock)."""

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from fastapi import FastAPI
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from fleetcharge.csms import settling
from fleetcharge.csms.open_transaction_expiry import OpenTransactionExpiry
from fleetcharge.csms.transport import CentralSystem
from fleetcharge.db import unit_of_work
from fleetcharge.models import OcppTransaction, Organisation, SessionReview
from tests import factories as f
from tests.csms.conftest import NOW, Network
from tests.csms.helpers import FakeClock, connected, eventually


def at(minutes: float) -> datetime:
    return NOW + timedelta(minutes=minutes)


def state_of(engine: Engine, transaction_id: int) -> tuple[str, datetime | None, int | None]:
    with unit_of_work(engine) as db:
        tx = db.get(OcppTransaction, transaction_id)
        assert tx is not None
        return tx.state, tx.stopped_at, tx.meter_stop_wh


def reviews(engine: Engine) -> list[tuple[int, list[str], str]]:
    with unit_of_work(engine) as db:
        return [
            (r.transaction_id, [reason["code"] for reason in r.reasons], r.reasons[0]["detail"])
            for r in db.scalars(select(SessionReview).order_by(SessionReview.id))
        ]


def test_open_transactions_with_no_news_for_the_expiry_are_settled_once(
    make_app: Callable[..., FastAPI], engine: Engine, network: Network, clock: FakeClock
) -> None:
    with unit_of_work(engine) as db:
        payer = db.get(Organisation, network.payer_id)
        assert payer is not None
        f.vehicle(db, f.fleet(db, payer), id_tags=("LONG",))
    app = make_app(ocpp_open_transaction_expiry_hours="2")
    with TestClient(app) as client, connected(client, network.identity, clock) as cp:
        central: CentralSystem = app.state.central_system
        assert central.expiry is not None and central.expiry.expiry == timedelta(hours=2)
        silent = cp.start(network.id_tag, 0, at(0))["transactionId"]
        cp.meter(5000, at(30), transaction_id=silent)
        busy = cp.start("LONG", 0, at(0), connector=2)["transactionId"]
        cp.status("Charging", at(100), connector=2)
        clock.at = at(30 + 119)
        assert central.expiry.sweep() == 0
        clock.at = at(30 + 121)
        assert central.expiry.sweep() == 1
        assert central.expiry.sweep() == 0  # once
        assert cp.result("Authorize", {"idTag": network.id_tag}, at=clock.at) == {
            "idTagInfo": {"status": "Accepted"}
        }
        assert cp.result("Authorize", {"idTag": "LONG"}, at=clock.at) == {
            "idTagInfo": {"status": "ConcurrentTx"}
        }
    assert state_of(engine, silent) == ("settled", at(30), 5000)
    assert state_of(engine, busy) == ("open", None, None)
    assert reviews(engine) == [
        (silent, ["settled_without_stop"], "nothing was heard of it for too long")
    ]


def test_an_expiry_of_zero_never_settles(
    make_app: Callable[..., FastAPI], engine: Engine, network: Network, clock: FakeClock
) -> None:
    app = make_app(ocpp_open_transaction_expiry_hours="0")
    with TestClient(app) as client, connected(client, network.identity, clock) as cp:
        central: CentralSystem = app.state.central_system
        tx = cp.start(network.id_tag, 0, at(0))["transactionId"]
        clock.at = at(60 * 24 * 365)
        assert central.expiry is not None and central.expiry.sweep() == 0
    assert state_of(engine, tx) == ("open", None, None)


def test_two_processes_settling_the_same_transaction_settle_it_once(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    with connected(client, network.identity, clock) as cp:
        tx_id = cp.start(network.id_tag, 1000, at(0))["transactionId"]
    with Session(engine) as first, Session(engine) as second:
        mine, theirs = first.get(OcppTransaction, tx_id), second.get(OcppTransaction, tx_id)
        assert mine is not None and theirs is not None and theirs.state == "open"
        assert settling.settle(first, mine, at(60), settling.EXPIRY)
        first.commit()
        assert not settling.settle(second, theirs, at(60), settling.EXPIRY)
        second.commit()
    assert state_of(engine, tx_id) == ("settled", at(0), 1000)
    assert [(t, codes) for t, codes, _ in reviews(engine)] == [(tx_id, ["settled_without_stop"])]


def test_the_sweep_runs_in_the_background_until_stopped(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    with connected(client, network.identity, clock) as cp:
        tx_id = cp.start(network.id_tag, 0, at(0))["transactionId"]
        cp.meter(2500, at(10), transaction_id=tx_id)

    async def sweep_in_background() -> None:
        expiry = OpenTransactionExpiry(engine, timedelta(hours=1), lambda: at(71), interval_s=0.01)
        expiry.start()
        try:
            while state_of(engine, tx_id)[0] == "open":
                await asyncio.sleep(0.01)
        finally:
            await expiry.stop()

    asyncio.run(asyncio.wait_for(sweep_in_background(), timeout=10))
    assert eventually(lambda: state_of(engine, tx_id)) == ("settled", at(10), 2500)
    with unit_of_work(engine) as db:
        review = db.scalar(select(SessionReview))
        assert review is not None and review.energy_kwh == Decimal("2.500")
