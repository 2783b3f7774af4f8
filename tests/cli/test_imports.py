"""`fleetcharge import vehicles | locations`: problems printed with exit code 2, dry runs
writing nothing, a summary of what changed."""

import json
from pathlib import Path

from sqlalchemy import Engine, func, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import Station, Vehicle
from tests import factories as f
from tests.cli.conftest import Cli
from tests.imports.files import VEHICLE_HEADER, csv_text, vehicles_file

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"


def vehicles_in(engine: Engine) -> int:
    with unit_of_work(engine) as db:
        return db.scalar(select(func.count()).select_from(Vehicle)) or 0


def test_a_bad_file_prints_every_problem_and_exits_2(
    cli: Cli, engine: Engine, tmp_path: Path
) -> None:
    with unit_of_work(engine) as db:
        f.organisation(db, "Cybertron")
    rows = vehicles_file(3)
    rows[0][0], rows[2][4] = "short", "tomorrow"
    path = tmp_path / "fleet.csv"
    path.write_text(csv_text(VEHICLE_HEADER, rows))
    result = cli("import", "vehicles", str(path), "--org", "Cybertron")
    assert result.exit_code == 2, result.output
    assert "error: the file has 2 problems, nothing was imported" in result.stderr
    assert "line 2, column vin: vin must be 17 letters" in result.stderr
    assert "line 4, column effective_from: effective_from must be a date" in result.stderr
    assert vehicles_in(engine) == 0


def test_dry_run_then_import_with_a_summary(cli: Cli, engine: Engine, tmp_path: Path) -> None:
    with unit_of_work(engine) as db:
        f.organisation(db, "Cybertron")
    path = tmp_path / "fleet.csv"
    path.write_text(csv_text(VEHICLE_HEADER, vehicles_file(10)))
    dry = cli("import", "vehicles", str(path), "--org", "Cybertron", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout)["vehicles"] == {"created": 10, "updated": 0, "unchanged": 0}
    assert json.loads(dry.stdout)["dry_run"] is True
    assert vehicles_in(engine) == 0
    done = cli("import", "vehicles", str(path), "--org", "Cybertron")
    assert done.exit_code == 0, done.output
    assert "Imported vehicles from" in done.stdout
    assert "vehicles │ 10 " in done.stdout and "Writing" in done.stderr
    assert vehicles_in(engine) == 10


def test_a_missing_file_or_organisation_is_a_clear_error(cli: Cli, tmp_path: Path) -> None:
    missing = cli("import", "vehicles", str(tmp_path / "nope.csv"), "--org", "Cybertron")
    assert missing.exit_code == 2
    said = "".join(missing.stderr.split())  # rich wraps long lines
    assert f"cannotread{tmp_path / 'nope.csv'}:Nosuchfileordirectory" in said
    path = tmp_path / "fleet.csv"
    path.write_text(csv_text(VEHICLE_HEADER, vehicles_file(1)))
    unknown = cli("import", "vehicles", str(path), "--org", "Nobody")
    assert unknown.exit_code == 2
    assert "no organisation named or with UUID 'Nobody'" in unknown.stderr


def test_the_shipped_examples_load(cli: Cli, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        f.organisation(db, "Acme Logistics")
        f.organisation(db, "Harbour Car Parks")
        tariff = f.tariff(db)
        tariff.name = "Standard AC"
    vehicles = cli("import", "vehicles", str(EXAMPLES / "vehicles.csv"), "--org", "Acme Logistics")
    assert vehicles.exit_code == 0, vehicles.output
    locations = cli("import", "locations", str(EXAMPLES / "locations.csv"), "--json")
    assert locations.exit_code == 0, locations.output
    assert json.loads(locations.stdout)["stations"]["created"] > 0
    with unit_of_work(engine) as db:
        assert db.scalar(select(func.count()).select_from(Station))
    again = cli("import", "locations", str(EXAMPLES / "locations.csv"), "--json")
    assert json.loads(again.stdout)["stations"]["updated"] == 0
