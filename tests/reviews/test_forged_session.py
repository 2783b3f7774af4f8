"""The probe's forged session replayed over a real WebSocket to `fleetcharge serve` in a child
process: StartTransaction with a fleet's card, StopTransaction 29 days later at 200,000 kWh
on a 22 kW AC station. It is held: not on /usage, not on the month's invoices, until an
operator corrects it (admin API); then it is billed exactly once. A long but honest session
is accepted (CLI) and billed once; a rejected one never is."""

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import Engine, func, select

from fleetcharge.billing.period import Period
from fleetcharge.billing.service import draft_invoices
from fleetcharge.db import unit_of_work
from fleetcharge.models import ChargeSession, InvoiceSession, OcppTransaction, SessionReview
from tests import factories as f
from tests.admin.helpers import account
from tests.cli.conftest import Cli
from tests.csms.helpers import station_socket
from tests.servers import running_server

SERVER_ENV = {"FLEETCHARGE_RATE_LIMITS_ENABLED": "false", "FLEETCHARGE_LOG_LEVEL": "WARNING"}
TARIFF = [{"price_components": [{"type": "ENERGY", "price": "0.40", "step_size": 1}]}]
BILLING_TIMEZONE = "Australia/Sydney"


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def charge(url: str, tag: str, sessions: list[tuple[datetime, int, datetime, int]]) -> None:
    """As the station: each (start, meterStart, stop, meterStop) as a transaction."""
    async with station_socket(url) as call:
        await call("BootNotification", {"chargePointVendor": "T", "chargePointModel": "AC22"})
        for start, meter_start, stop, meter_stop in sessions:
            started = await call(
                "StartTransaction",
                {
                    "connectorId": 1,
                    "idTag": tag,
                    "meterStart": meter_start,
                    "timestamp": stamp(start),
                },
            )
            assert started["idTagInfo"] == {"status": "Accepted"}
            stopped = {
                "transactionId": started["transactionId"],
                "meterStop": meter_stop,
                "timestamp": stamp(stop),
            }
            await call("StopTransaction", stopped)


def billed(engine: Engine) -> dict[int, int]:
    """Session id -> how many active fleet invoice links it has."""
    with unit_of_work(engine) as db:
        query = (
            select(InvoiceSession.session_id, func.count())
            .where(InvoiceSession.kind == "fleet", InvoiceSession.active)
            .group_by(InvoiceSession.session_id)
        )
        return {session_id: n for session_id, n in db.execute(query)}


def draft(engine: Engine, period: Period) -> None:
    """Draft `period` as a run would once the month has ended (it may still be running)."""
    after = period.next().first_day
    with unit_of_work(engine) as db:
        draft_invoices(db, period, now=datetime(after.year, after.month, 2, tzinfo=UTC))


def session_of(engine: Engine, start: datetime) -> int | None:
    with unit_of_work(engine) as db:
        tx = db.scalars(select(OcppTransaction).where(OcppTransaction.started_at == start)).one()
        return tx.session_id


def test_the_forged_session_is_held_off_invoices_until_reviewed_then_billed_once(
    database_url: str, engine: Engine
) -> None:
    with unit_of_work(engine) as db:
        host = f.organisation(db, "Host")
        payer = f.organisation(db, "Fleet owner")
        payer.billing_timezone = BILLING_TIMEZONE
        site = f.site(db, host, t=f.tariff(db, TARIFF))
        assert (site.station.current_type, site.station.max_power_kw) == ("AC", Decimal(22))
        identity = site.station.ocpp_identity
        tag = f.vehicle(db, f.fleet(db, payer)).cards[0].id_tag
        fleet_token = f.token(db, payer)
        host_token = f.token(db, host)
    admin = account(engine, "billing").headers
    now = datetime.now(UTC).replace(microsecond=0)
    ordinary = (now - timedelta(hours=3), 1_000, now - timedelta(hours=1), 21_000)
    forged = (now - timedelta(days=29), 0, now, 200_000_000)
    long_honest = (now - timedelta(days=4), 5_000, now - timedelta(minutes=30), 65_000)
    rejected = (now - timedelta(days=10), 70_000, now - timedelta(minutes=20), 150_070_000)

    with running_server(database_url, SERVER_ENV) as base:
        url = f"{base.replace('http://', 'ws://')}/ocpp/{identity}"
        asyncio.run(charge(url, tag, [ordinary, forged, long_honest, rejected]))

        def fleets_api(endpoint: str, token: str) -> list[dict[str, Any]]:
            response = httpx.get(
                f"{base}/api/fleets/v1/{endpoint}",
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            )
            assert response.status_code == 200, response.text
            return list(response.json()["data"]["sessions"])

        def usage() -> list[dict[str, Any]]:
            return fleets_api("usage", fleet_token)

        # Only the ordinary session is recorded, for the fleet as for the site host; the
        # others are held, the forged one for its energy and its length.
        assert [s["consumption"] for s in usage()] == [20]
        assert [s["consumption"] for s in fleets_api("sessions", host_token)] == [20]
        listed = httpx.get(f"{base}/api/admin/v1/session-reviews", headers=admin, timeout=10)
        assert listed.status_code == 200, listed.text
        held = {r["start_date_time"]: r for r in listed.json()["data"]}
        assert len(held) == 3
        review = held[forged[0].isoformat()]
        assert [r["code"] for r in review["reasons"]] == [
            "energy_above_station_power",
            "duration_too_long",
        ]
        assert (review["energy_kwh"], review["deliverable_kwh"]) == ("200000.000", "16844.200")
        assert (review["cost_to_driver"], review["id_tag"]) == ("80000.00", tag)
        assert review["state"] == "held" and review["session_uuid"] is None
        assert "held_for_review" in review["flags"]
        assert [r["code"] for r in held[long_honest[0].isoformat()]["reasons"]] == [
            "duration_too_long"
        ]

        # The month's billing run bills the ordinary session only.
        period = Period.last_completed(BILLING_TIMEZONE, now).next()
        draft(engine, period)
        assert billed(engine) == {session_of(engine, ordinary[0]): 1}

        # The operator corrects the forged session from the station's meter read on site.
        shown = httpx.get(
            f"{base}/api/admin/v1/session-reviews/{review['uuid']}", headers=admin, timeout=10
        )
        correction = {
            "energy_kwh": "30",
            "stop_date_time": (forged[0] + timedelta(hours=2)).isoformat(),
            "note": "meter read on site",
        }
        corrected = httpx.post(
            f"{base}/api/admin/v1/session-reviews/{review['uuid']}/correct",
            json=correction,
            headers={**admin, "If-Match": shown.headers["etag"]},
            timeout=10,
        )
        assert corrected.status_code == 200, corrected.text
        assert corrected.json()["state"] == "corrected"
        assert corrected.json()["correction"] == {
            "energy_kwh": "30.000",
            "stop_date_time": (forged[0] + timedelta(hours=2)).isoformat(),
        }
        again = httpx.post(
            f"{base}/api/admin/v1/session-reviews/{review['uuid']}/accept",
            headers=admin,
            timeout=10,
        )
        assert again.status_code == 409, again.text

        # The long but honest one accepted as reported, the other rejected, on the CLI.
        cli = Cli(database_url)
        accepted = cli(
            "sessions", "review", "accept", held[long_honest[0].isoformat()]["uuid"],
            "--note", "parked at the depot over a long weekend",
        )  # fmt: skip
        assert accepted.exit_code == 0, accepted.output
        refused = cli(
            "sessions", "review", "reject", str(held[rejected[0].isoformat()]["transaction_id"]),
            "--note", "forged",
        )  # fmt: skip
        assert refused.exit_code == 0, refused.output
        assert "rejected" in refused.stdout

        by_energy = {s["consumption"]: s for s in usage()}
        assert sorted(by_energy) == [20, 30, 60]
        assert by_energy[30]["cost_to_driver"] == 12  # 30 kWh at 40c, as corrected
        assert by_energy[30]["total_time"] == 2 * 3600
        assert sorted(s["consumption"] for s in fleets_api("sessions", host_token)) == [20, 30, 60]

    # Reviewed after its month was invoiced: on the next month's invoice, once.
    draft(engine, period)
    assert billed(engine) == {session_of(engine, ordinary[0]): 1}
    draft(engine, period.next())
    draft(engine, period.next())
    sessions = [session_of(engine, s[0]) for s in (ordinary, forged, long_honest, rejected)]
    assert sessions[3] is None  # rejected: never recorded
    assert billed(engine) == {sessions[0]: 1, sessions[1]: 1, sessions[2]: 1}
    with unit_of_work(engine) as db:
        assert db.scalar(select(func.count()).select_from(ChargeSession)) == 3
        states = db.scalars(select(SessionReview.state).order_by(SessionReview.id)).all()
        assert states == ["corrected", "accepted", "rejected"]
