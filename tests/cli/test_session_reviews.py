"""`fleetcharge sessions review list | show | accept | correct | reject` against a real
database: the held sessions, decisions, and one-line errors naming the option."""

import json
from datetime import timedelta

from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from fleetcharge.cli.main import app
from fleetcharge.db import unit_of_work
from fleetcharge.models import ChargeSession, SessionReview
from tests import factories as f
from tests.cli.conftest import Cli


def flat(output: str) -> str:
    """Output without the line breaks rich wraps it with."""
    return " ".join(output.split())


def held(engine: Engine, *, days: float = 29, kwh: int = 200_000) -> SessionReview:
    with unit_of_work(engine) as db:
        return f.held_review(db, f.organisation(db), days=days, kwh=kwh)


def test_held_sessions_listed_shown_and_decided(cli: Cli, engine: Engine) -> None:
    forged, short, other = held(engine), held(engine, days=0.1, kwh=200), held(engine)
    table = cli("sessions", "review", "list")
    assert table.exit_code == 0, table.output
    assert "energy_above_station_power, duration_too_long" in table.stdout
    assert "16844.200" in table.stdout and "80000.00" not in table.stdout  # 30c/kWh
    listed = json.loads(cli("sessions", "review", "list", "--json").stdout)
    assert [r["uuid"] for r in listed] == [str(r.uuid) for r in (forged, short, other)]
    assert listed[0]["cost_to_driver"] == "60000.00"
    by_transaction = json.loads(
        cli("sessions", "review", "show", str(forged.transaction_id), "--json").stdout
    )
    assert by_transaction == listed[0]
    shown = cli("sessions", "review", "show", str(forged.uuid))
    assert "energy_above_station_power: 200000 kWh in 696.00 h" in shown.stdout

    accepted = cli("sessions", "review", "accept", str(forged.uuid), "--note", "checked", "--json")
    assert accepted.exit_code == 0, accepted.output
    assert json.loads(accepted.stdout)["state"] == "accepted"
    corrected = cli(
        "sessions", "review", "correct", str(short.transaction_id), "--energy", "31.25",
        "--stop", (short.started_at + timedelta(hours=2)).isoformat(), "--note", "meter read",
    )  # fmt: skip
    assert corrected.exit_code == 0, corrected.output
    assert "corrected" in corrected.stdout
    rejected = cli("sessions", "review", "reject", str(other.uuid), "--note", "forged")
    assert rejected.exit_code == 0 and "rejected" in rejected.stdout
    assert json.loads(cli("sessions", "review", "list", "--json").stdout) == []
    everything = json.loads(cli("sessions", "review", "list", "--state", "all", "--json").stdout)
    assert [r["state"] for r in everything] == ["accepted", "corrected", "rejected"]
    with unit_of_work(engine) as db:
        energies = db.scalars(select(ChargeSession.consumption_kwh).order_by(ChargeSession.id))
        assert [str(e) for e in energies] == ["200000.000", "31.250"]
    again = cli("sessions", "review", "reject", str(forged.uuid), "--note", "too late")
    assert again.exit_code == 2 and "already accepted" in flat(again.output)


def test_errors_are_one_line_naming_the_option(cli: Cli, engine: Engine) -> None:
    review = str(held(engine).uuid)
    correct = ["sessions", "review", "correct", review, "--note", "n"]
    cases = [
        ([*correct], "give --energy, --stop or both"),
        ([*correct, "--energy", "abc"], "--energy"),
        ([*correct, "--energy", "1e400"], "--energy"),
        ([*correct, "--energy", "-0.5"], "--energy"),
        ([*correct, "--energy", "nan"], "--energy"),
        ([*correct, "--stop", "2026-13-01T00:00+11:00"], "--stop"),
        ([*correct, "--stop", "2026-11-02T18:40"], "--stop: stop_date_time needs a UTC offset"),
        ([*correct, "--stop", "9999-12-31T23:59:59-14:00"], "--stop: stop_date_time must be"),
        ([*correct, "--energy", "30"], "--stop: the corrected session is still implausible"),
        (["sessions", "review", "correct", review, "--energy", "1", "--note", "a\x00b"], "--note"),
        (["sessions", "review", "reject", review, "--note", " "], "--note"),
        (["sessions", "review", "reject", review], "--note"),
        (["sessions", "review", "accept", "nope"], "no session review"),
        (["sessions", "review", "show", "4294967296"], "no session review"),
        (["sessions", "review", "show", "9" * 40], "no session review"),
        (["sessions", "review", "list", "--state", "open"], "--state"),
    ]
    for args, named in cases:
        result = cli(*args)
        assert result.exit_code == 2, (args, result.output)
        assert named in flat(result.output), (args, result.output)
        assert "Traceback" not in result.output
    with unit_of_work(engine) as db:
        assert db.scalar(select(func.count()).select_from(ChargeSession)) == 0
        assert db.scalars(select(SessionReview.state)).one() == "held"


def test_help_explains_the_commands() -> None:
    shown = CliRunner().invoke(app, ["sessions", "review", "--help"])
    assert shown.exit_code == 0
    for command in ("list", "show", "accept", "correct", "reject"):
        assert command in shown.stdout
    assert "never billed" in flat(shown.stdout)
