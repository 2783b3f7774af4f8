"""`fleetcharge sites ...`, `stations set --phases --circuit` and `vehicles set` smart-charging
options against a real database."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from fleetcharge.models import OcppTransaction
from tests import factories as f
from tests.cli.conftest import Cli


def _depot(engine: Engine) -> tuple[str, str, str]:
    with unit_of_work(engine) as db:
        s = f.site(db, f.organisation(db), timezone="Europe/Berlin")
        s.location.name = "Iacon depot"
        car = f.vehicle(db, f.fleet(db, f.organisation(db)))
        start = datetime.now(UTC) - timedelta(hours=1)
        db.add(
            OcppTransaction(
                station_id=s.station.id, connector_id=s.connector.id, id_tag=car.cards[0].id_tag,
                id_tag_status="Accepted", card_id=car.cards[0].id, meter_start_wh=0,
                start_reported_at=start, started_at=start, received_at=start, flags=[],
            )
        )  # fmt: skip
        return s.location.name, s.station.ocpp_identity, car.vin


def test_set_limit_with_a_schedule_circuits_and_show(
    cli: Cli, engine: Engine, tmp_path: Path
) -> None:
    site, station, vin = _depot(engine)
    schedule = tmp_path / "peak.csv"
    schedule.write_text(
        "# evening peak\ndays,start,end,limit_kw\nmon-fri,16:00,21:00,120\nsat,sun,0:00,1\n"
    )
    bad = cli("sites", "set-limit", site, "200kW", "--schedule", str(schedule))
    assert bad.exit_code == 2 and "line 4" in bad.output, bad.output
    schedule.write_text(
        'days,start,end,limit_kw\nmon-fri,16:00,21:00,120\n"sat,sun",22:00,06:00,150\n'
    )
    done = cli(
        "sites", "set-limit", site, "200 kW", "--schedule", str(schedule), "--strategy", "priority"
    )
    assert done.exit_code == 0, done.output
    assert "limit 200.0 kW, strategy priority" in done.stdout
    assert "sat,sun 22:00-06:00 (Europe/Berlin): 150.0 kW" in done.stdout
    assert cli("sites", "set-limit", site, "200000W", "--json").exit_code == 0
    amps = cli("sites", "set-limit", site, "32A")
    assert amps.exit_code == 2 and "not a current" in amps.output
    assert cli("sites", "set-limit", site, "lots").exit_code == 2
    assert cli("sites", "set-limit", site, "1kW", "--strategy", "fastest").exit_code == 2
    assert cli("sites", "set-limit", "Nowhere", "1kW").exit_code == 2

    assert cli("sites", "circuits", "add", site, "feeder", "--limit", "60kW").exit_code == 0
    added = cli(
        "sites",
        "circuits",
        "add",
        site,
        "panel",
        "--limit",
        "32A",
        "--phases",
        "1",
        "--parent",
        "feeder",
    )
    assert added.exit_code == 0, added.output
    assert cli("sites", "circuits", "add", site, "x", "--phases", "2").exit_code == 2
    unknown = cli("sites", "circuits", "add", site, "y", "--parent", "nope")
    assert unknown.exit_code == 2 and "--parent" in unknown.output
    moved = cli("stations", "set", station, "--phases", "1", "--circuit", "panel")
    assert moved.exit_code == 0, moved.output
    listed = cli("sites", "circuits", "list", site)
    assert "panel" in listed.stdout and station in listed.stdout
    vehicle = cli(
        "vehicles",
        "set",
        vin,
        "--max-power",
        "7.4kW",
        "--priority",
        "3",
        "--departure",
        "mon-fri=05:30",
        "--target-energy",
        "40",
    )
    assert vehicle.exit_code == 0, vehicle.output
    assert cli("vehicles", "set", vin, "--departure", "mon-fri=5h").exit_code == 2

    shown = cli("sites", "show", site)
    assert shown.exit_code == 0, shown.output
    text = shown.stdout
    assert "limit 200.0 kW, strategy priority" in text
    assert (
        "- feeder (3-phase, 60.0 kW)" in text
        and f"  - panel (1-phase, 32.0 A/phase); stations {station}" in text
    )
    assert f"at {station}#1 (1-phase, station max 22.0 kW, vehicle max 7.4 kW), priority 3" in text
    assert "needs 40.0 kWh" in text
    view = json.loads(cli("sites", "show", site, "--json").stdout)
    [session] = view["sessions"]
    assert session["departure"].endswith(("05:30:00+02:00", "05:30:00+01:00"))
    busy = cli("sites", "circuits", "remove", site, "panel")
    assert busy.exit_code == 2 and "feeds stations" in busy.output
    assert cli("stations", "set", station, "--circuit", "none").exit_code == 0
    assert cli("sites", "circuits", "remove", site, "panel").exit_code == 0
    cleared = cli("sites", "clear-limit", site)
    assert cleared.exit_code == 0 and "not smart charged" in cleared.stdout
    assert "(not managed: the site has no limit)" in cli("sites", "show", site).stdout
