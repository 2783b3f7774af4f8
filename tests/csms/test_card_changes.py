"""What card changes made on the admin API do at once, over real WebSockets on loopback
(`fleetcharge serve` in a child process): a blocked or expired card is refused from its
next Authorize and StartTransaction, and a card moved to another vehicle changes who pays
only for sessions that start after the move."""

import asyncio
import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import Engine, select

from fleetcharge.accounts.service import create_account
from fleetcharge.db import unit_of_work
from fleetcharge.models import Card, ChargeSession, OcppTransaction
from fleetcharge.permissions import Actor
from fleetcharge.simulator.model import SessionOutcome, SessionReport
from fleetcharge.simulator.runner import DC_EVSE, SimulationConfig, SimulationSummary, simulate
from tests import factories as f
from tests.csms.helpers import station_socket
from tests.factories import STATION_PASSWORD
from tests.servers import running_server

SERVER_ENV = {"FLEETCHARGE_RATE_LIMITS_ENABLED": "false", "FLEETCHARGE_LOG_LEVEL": "WARNING"}
RUN_TIMEOUT_S = 30
# Each start's own meter reading: a start like an earlier one is its repeat, answered alike.
_METER = itertools.count(1000, 1000)


def _network(engine: Engine, tags: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
    """Station SIM-0001; vehicles A and B of a fleet, A holding the cards. The admin token
    and {vehicle name: (id, uuid)}, {id_tag: card uuid}."""
    with unit_of_work(engine) as db:
        host, payer = f.organisation(db), f.organisation(db)
        station = f.site(db, host).station
        # The simulator's default EVSE, so that its sessions are plausible.
        station.ocpp_identity, station.current_type = "SIM-0001", "DC"
        station.max_power_kw = Decimal(DC_EVSE.max_kw)
        fleet = f.fleet(db, payer)
        a = f.vehicle(db, fleet, id_tags=tags)
        b = f.vehicle(db, fleet, id_tags=())
        token = create_account(db, Actor.command_line(), "ops", "admin").secret
        cards = {c.id_tag: str(c.uuid) for c in db.scalars(select(Card))}
        return token, {
            "A": (a.id, str(a.uuid)),
            "B": (b.id, str(b.uuid)),
            "cards": cards,
        }


def _admin(base: str, token: str, path: str, body: Any = None) -> dict[str, Any]:
    response = httpx.post(
        f"{base}/api/admin/v1{path}",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def _simulate(url: str, tags: tuple[str, ...], sessions: int, on_session: Any = None) -> Any:
    config = SimulationConfig(
        url=url,
        sessions=sessions,
        speed=1e6,
        id_tags=tags,
        seed=5,
        timeout_s=RUN_TIMEOUT_S,
        password=STATION_PASSWORD,
    )
    run = simulate(config, on_session)
    summary: SimulationSummary = asyncio.run(asyncio.wait_for(run, RUN_TIMEOUT_S))
    assert not summary.timed_out and not summary.failures
    return summary


def test_a_moved_card_changes_the_payer_of_sessions_starting_after_the_move(
    database_url: str, engine: Engine
) -> None:
    token, world = _network(engine, ("MOVE-1",))
    card = world["cards"]["MOVE-1"]
    moves: list[datetime] = []

    with running_server(database_url, SERVER_ENV) as base:

        def move(report: SessionReport) -> None:
            assert report.outcome is SessionOutcome.COMPLETED and report.stopped_at
            if not moves:  # after the first session: to B, from just after it stopped
                starts = report.stopped_at + timedelta(seconds=1)
                _admin(
                    base,
                    token,
                    f"/cards/{card}/assign",
                    {"vehicle_uuid": world["B"][1], "from": starts.isoformat()},
                )
            elif len(moves) == 1:  # after the second: back to A, but only from tomorrow
                starts = datetime.now(UTC) + timedelta(days=1)
                _admin(
                    base,
                    token,
                    f"/cards/{card}/assign",
                    {"vehicle_uuid": world["A"][1], "from": starts.isoformat()},
                )
            moves.append(report.stopped_at)

        ocpp = base.replace("http://", "ws://") + "/ocpp"
        summary = _simulate(ocpp, ("MOVE-1",), sessions=3, on_session=move)
        # Backdated before a recorded session's start: refused, recorded sessions stay.
        backdated = httpx.post(
            f"{base}/api/admin/v1/cards/{card}/assign",
            json={"vehicle_uuid": world["B"][1], "from": moves[0].isoformat()},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert backdated.status_code == 400, backdated.text
        assert backdated.json()["error"]["field"] == "from"
    assert summary.call_errors == 0 and summary.rejected_authorisations == 0

    with unit_of_work(engine) as db:
        transactions = db.scalars(select(OcppTransaction).order_by(OcppTransaction.started_at))
        payers = []
        for tx in transactions:
            session = db.get(ChargeSession, tx.session_id)
            assert session is not None
            payers.append(session.vehicle_id)
    a, b = world["A"][0], world["B"][0]
    # The first stays A's; the second started after the move (B's); the third started
    # before the move back takes effect (still B's, though the card is A's again now).
    assert payers == [a, b, b]


def test_blocked_and_expired_cards_are_refused_at_once(database_url: str, engine: Engine) -> None:
    token, world = _network(engine, ("BLOCK-1", "EXPIRE-1", "GOOD-1"))
    cards = world["cards"]
    with running_server(database_url, SERVER_ENV) as base:
        ocpp = base.replace("http://", "ws://") + "/ocpp"
        before = asyncio.run(_statuses(ocpp, ("BLOCK-1", "EXPIRE-1", "GOOD-1")))
        assert before == [("Accepted", "Accepted")] * 3
        _admin(base, token, f"/cards/{cards['BLOCK-1']}/block")
        expired = datetime.now(UTC) - timedelta(seconds=1)
        response = httpx.patch(
            f"{base}/api/admin/v1/cards/{cards['EXPIRE-1']}",
            json={"expires_at": expired.isoformat()},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        after = asyncio.run(_statuses(ocpp, ("BLOCK-1", "EXPIRE-1", "GOOD-1")))
        assert after == [("Blocked", "Blocked"), ("Expired", "Expired"), ("Accepted", "Accepted")]
        summary = _simulate(ocpp, ("BLOCK-1", "EXPIRE-1"), sessions=2)
        assert summary.rejected_authorisations == 2
        assert {r.outcome for r in summary.reports} == {SessionOutcome.REJECTED}
        _admin(base, token, f"/cards/{cards['BLOCK-1']}/unblock")
        assert asyncio.run(_statuses(ocpp, ("BLOCK-1",))) == [("Accepted", "Accepted")]


async def _statuses(ocpp: str, tags: tuple[str, ...]) -> list[tuple[str, str]]:
    """Each tag's idTagInfo status on Authorize and on StartTransaction (stopped at once)."""
    answers = []
    async with station_socket(f"{ocpp}/SIM-0001") as send:
        await send("BootNotification", {"chargePointVendor": "T", "chargePointModel": "T"})
        for tag in tags:
            authorised = await send("Authorize", {"idTag": tag})
            now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            meter = next(_METER)
            started = await send(
                "StartTransaction",
                {"connectorId": 1, "idTag": tag, "meterStart": meter, "timestamp": now},
            )
            await send(
                "StopTransaction",
                {"transactionId": started["transactionId"], "meterStop": meter, "timestamp": now},
            )
            answers.append((authorised["idTagInfo"]["status"], started["idTagInfo"]["status"]))
    return answers
