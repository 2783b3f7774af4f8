"""The README's "Set up a real network" walkthrough, run as written: every `sh` block of the
section, in order, in one shell, from a directory of its own on the test's database. Only
the port is changed (to a free one), and the server it starts in the background is stopped
at the end. On SQLite the installed `fleetcharge` runs each command; on PostgreSQL a forked
one (tests/docs/cli_forks.py) saves a second of Python start and imports per command."""

import json
import os
import re
import subprocess
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import Engine, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import ChargeSession, Fleet, Vehicle
from tests.docs.cli_forks import forked_cli
from tests.servers import free_port

ROOT = Path(__file__).parents[2]
SECTION = "## Set up a real network"


def walkthrough() -> str:
    readme = (ROOT / "README.md").read_text()
    assert SECTION in readme, f"the README has no {SECTION!r} section"
    section = readme.split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    assert blocks, "the section has no sh blocks"
    return "\n".join(blocks)


def test_the_walkthrough_charges_a_real_card(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    script = walkthrough().replace("8000", str(free_port()))
    env = {
        **os.environ,
        "FLEETCHARGE_DATABASE_URL": database_url,
        "FLEETCHARGE_LOG_FORMAT": "text",
        "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
    }
    stopped = "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\nset -euo pipefail\n"
    with ExitStack() as stack:
        if database_url.startswith("sqlite"):
            (tmp_path / ".venv").symlink_to(ROOT / ".venv")
        else:  # the script puts ./.venv/bin first on the PATH
            cli = stack.enter_context(forked_cli(tmp_path, env))
            (tmp_path / ".venv").mkdir()
            (tmp_path / ".venv" / "bin").symlink_to(cli)
        done = subprocess.run(
            ["bash", "-c", stopped + script],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    with unit_of_work(engine) as db:
        sessions = list(db.scalars(select(ChargeSession)))
        assert len(sessions) == 1, done.stdout[-3000:]
        vehicle = db.get(Vehicle, sessions[0].vehicle_id)
        fleet = db.get(Fleet, sessions[0].fleet_id)
        assert vehicle is not None and fleet is not None
        shown = json.loads(done.stdout.strip().splitlines()[-1])  # the fleet's /usage
        assert shown == {
            "vin": vehicle.vin,
            "fleet": fleet.name,
            "kWh": float(sessions[0].consumption_kwh),
            "cost": float(sessions[0].cost_to_driver),
        }
        assert shown["kWh"] > 0 and shown["cost"] > 0
