"""End to end with the simulator over real WebSockets (`fleetcharge serve` in a child
process): a card in a transaction another station never stopped is refused (ConcurrentTx,
at the simulated station's Authorize); once that other station boots its transaction is
settled, held for review, and the card charges again."""

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Engine, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import OcppTransaction, SessionReview
from fleetcharge.simulator.model import SessionOutcome
from fleetcharge.simulator.runner import DC_EVSE, SimulationConfig, SimulationSummary, simulate
from tests import factories as f
from tests.csms.helpers import station_socket
from tests.factories import STATION_PASSWORD
from tests.servers import running_server

SERVER_ENV = {"FLEETCHARGE_RATE_LIMITS_ENABLED": "false", "FLEETCHARGE_LOG_LEVEL": "WARNING"}
RUN_TIMEOUT_S = 30
CARD = "SHARED-1"
BOOT = {"chargePointVendor": "T", "chargePointModel": "T"}


def _network(engine: Engine) -> None:
    """Stations SIM-0001 (the simulator's) and OTHER-1 at one site; a vehicle with CARD."""
    with unit_of_work(engine) as db:
        host, payer = f.organisation(db), f.organisation(db)
        site = f.site(db, host)
        site.station.ocpp_identity = "SIM-0001"
        other = f.station(db, site.location, "OTHER-1", site.tariff)[0]
        for station in (site.station, other):  # the simulator's EVSE: plausible sessions
            station.current_type, station.max_power_kw = "DC", Decimal(DC_EVSE.max_kw)
        f.vehicle(db, f.fleet(db, payer), id_tags=(CARD,))


def _simulate(url: str) -> SimulationSummary:
    config = SimulationConfig(
        url=url,
        sessions=1,
        speed=1e6,
        id_tags=(CARD,),
        seed=5,
        timeout_s=RUN_TIMEOUT_S,
        password=STATION_PASSWORD,
    )
    summary = asyncio.run(asyncio.wait_for(simulate(config), RUN_TIMEOUT_S))
    assert not summary.timed_out and not summary.failures and summary.call_errors == 0
    return summary


async def _start_elsewhere(ocpp: str) -> int:
    """OTHER-1 starts a transaction with CARD and goes away without stopping it."""
    async with station_socket(f"{ocpp}/OTHER-1") as send:
        await send("BootNotification", BOOT)
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        start = {"connectorId": 1, "idTag": CARD, "meterStart": 0, "timestamp": now}
        started = await send("StartTransaction", start)
        assert started["idTagInfo"] == {"status": "Accepted"}
        return int(started["transactionId"])


async def _boot_elsewhere(ocpp: str) -> None:
    async with station_socket(f"{ocpp}/OTHER-1") as send:
        answer = await send("BootNotification", BOOT)
        assert answer["status"] == "Accepted"


def test_a_card_busy_elsewhere_is_refused_then_free_once_that_station_boots(
    database_url: str, engine: Engine
) -> None:
    _network(engine)
    with running_server(database_url, SERVER_ENV) as base:
        ocpp = base.replace("http://", "ws://") + "/ocpp"
        elsewhere = asyncio.run(_start_elsewhere(ocpp))
        refused = _simulate(ocpp)
        assert [r.outcome for r in refused.reports] == [SessionOutcome.REJECTED]
        asyncio.run(_boot_elsewhere(ocpp))
        charged = _simulate(ocpp)
        assert [r.outcome for r in charged.reports] == [SessionOutcome.COMPLETED]

    with unit_of_work(engine) as db:
        rows = db.scalars(select(OcppTransaction).order_by(OcppTransaction.id)).all()
        outcomes = [
            (tx.id_tag_status, tx.state, tx.flags, tx.session_id is not None) for tx in rows
        ]
        # The simulator's times are in the past (speed 1e6): replayed_offline.
        assert outcomes == [
            ("Accepted", "settled", ["held_for_review", "settled_without_stop"], False),
            ("Accepted", "stopped", ["replayed_offline"], True),
        ]
        assert rows[0].id == elsewhere
        review = db.scalar(select(SessionReview))
        assert review is not None and review.transaction_id == elsewhere
