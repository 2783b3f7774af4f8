"""The `fleetcharge simulate` line `demo` prints charges at a demo station, as printed: the
station logs in with the password this start gave it."""

import os
import shlex
import subprocess
from pathlib import Path

from sqlalchemy import Engine, func, select

from fleetcharge.db import make_engine, unit_of_work
from fleetcharge.models import ChargeSession, Connector, Station
from tests.servers import running_server

ROOT = Path(__file__).parents[2]


def test_the_printed_simulate_line_charges_at_a_demo_station(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    env = {**os.environ, "FLEETCHARGE_DATABASE_URL": url, "COLUMNS": "400"}
    fleetcharge = str(ROOT / ".venv" / "bin" / "fleetcharge")
    loaded = subprocess.run(
        [fleetcharge, "demo", "--no-serve", "--sessions", "60"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    (line,) = [x for x in loaded.stdout.splitlines() if x.startswith("fleetcharge simulate ")]
    arguments = shlex.split(line)
    identity = arguments[arguments.index("--station") + 1]
    engine = make_engine(url)
    try:
        before = sessions_at(engine, identity)
        with running_server(url, {}) as base:
            port = base.rsplit(":", 1)[1]
            command = [fleetcharge, *arguments[1:], "--timeout", "60"]
            command = [part.replace(":8000/", f":{port}/") for part in command]
            charged = subprocess.run(command, env=env, capture_output=True, text=True, timeout=90)
            assert charged.returncode == 0, charged.stdout[-2000:] + charged.stderr[-2000:]
        assert sessions_at(engine, identity) == before + 1
    finally:
        engine.dispose()
    assert "1 of 1" in charged.stdout


def sessions_at(engine: Engine, identity: str) -> int:
    with unit_of_work(engine) as db:
        return (
            db.scalar(
                select(func.count())
                .select_from(ChargeSession)
                .join(Connector, ChargeSession.connector_id == Connector.id)
                .join(Station, Connector.station_id == Station.id)
                .where(Station.ocpp_identity == identity)
            )
            or 0
        )
