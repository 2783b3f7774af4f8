"""`fleetcharge demo --live` in a child process: new sessions arrive while it serves, and
Ctrl-C stops the stations (no transaction left open) and then the server."""

import json
import os
import select
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select as sql_select
from typer.testing import CliRunner

from fleetcharge.cli.main import app
from fleetcharge.db import make_engine, unit_of_work
from fleetcharge.models import ChargeSession, OcppTransaction
from tests.servers import free_port

LOADED_SESSIONS = 20
SPEED = 600  # a first session within a second or two
TIMEOUT_S = 30


def first_line(process: "subprocess.Popen[str]", timeout_s: float) -> str:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout_s)
    assert ready, "the demo printed no tokens in time"
    return process.stdout.readline()


def hosted_sessions(base: str, organisations: list[dict[str, Any]]) -> int:
    """Sessions at all demo stations: each is on its host's /sessions."""
    total = 0
    for organisation in organisations:
        response = httpx.get(
            f"{base}/api/fleets/v1/sessions",
            headers={"Authorization": f"Bearer {organisation['token']}"},
            timeout=5,
        )
        assert response.status_code == 200, response.text
        total += response.json()["pagination"]["total_entries"]
    return total


def test_live_demo_records_new_sessions_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    command = [
        sys.executable,
        "-c",
        "from fleetcharge.cli.main import app; app()",
        "demo",
        "--live",
        "--live-speed",
        str(SPEED),
        "--sessions",
        str(LOADED_SESSIONS),
        "--json",
        "--port",
        str(port),
        "--database-url",
        url,
    ]
    env = {
        **os.environ,
        "FLEETCHARGE_RATE_LIMITS_ENABLED": "false",
        "FLEETCHARGE_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        organisations = json.loads(first_line(process, TIMEOUT_S))["organisations"]
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            try:
                if hosted_sessions(base, organisations) > LOADED_SESSIONS:
                    break
            except httpx.TransportError:
                pass  # not serving yet
            assert process.poll() is None, "the demo exited"
            assert time.monotonic() < deadline, "no new session in time"
            time.sleep(0.3)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            returncode = process.wait(TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
    assert returncode == 0
    try:
        httpx.get(f"{base}/healthz", timeout=1)
        raise AssertionError("the server still answers after Ctrl-C")
    except httpx.TransportError:
        pass

    engine = make_engine(url)
    try:
        with unit_of_work(engine) as db:
            transactions = db.scalars(sql_select(OcppTransaction)).all()
            assert transactions and all(tx.state == "stopped" for tx in transactions)
            live = db.scalars(
                sql_select(ChargeSession).where(
                    ChargeSession.id.in_([tx.session_id for tx in transactions])
                )
            ).all()
            # They happened just now (the demo's own sessions are all in the past).
            now = datetime.now(UTC)
            assert all(now - timedelta(minutes=15) < s.stop_date_time <= now for s in live)
    finally:
        engine.dispose()


def test_live_needs_the_server() -> None:
    result = CliRunner().invoke(app, ["demo", "--live", "--no-serve"])
    assert result.exit_code == 2
    assert "--live needs the server" in result.stderr


def test_the_ticker_shows_when_each_session_arrived_with_its_zone() -> None:
    from io import StringIO

    from rich.console import Console

    from fleetcharge.demo.live import _print_session
    from fleetcharge.simulator.model import SessionOutcome, SessionReport

    out = StringIO()
    console = Console(file=out, width=120)
    late_station_clock = datetime(2001, 1, 1, tzinfo=UTC)  # a replayed stop time
    for station in ("CP-1", "CP-2"):
        report = SessionReport(station, 1, "TAG", 10_000, SessionOutcome.COMPLETED)
        report.energy_wh, report.stopped_at = 12_340, late_station_clock
        _print_session(console, report)
    lines = out.getvalue().splitlines()
    zone = datetime.now().astimezone().strftime("%Z")
    assert [line.split()[1:3] for line in lines] == [[zone, "CP-1"], [zone, "CP-2"]]
    assert all("12.34 kWh" in line for line in lines)
    assert lines[0].split()[0] <= lines[1].split()[0]  # in arrival order, not the stations'
