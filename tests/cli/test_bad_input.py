"""Hostile values for every CLI option and argument that takes a month, a date, a number, a
URL or a file: each is one `error:` line naming what is wrong, exit code 2, no traceback,
and nothing started (no server, simulation or demo load runs on a refused value)."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from fleetcharge.cli.main import app
from fleetcharge.db import unit_of_work
from fleetcharge.demo import command as demo_command
from fleetcharge.simulator import runner
from fleetcharge.web import server
from tests import factories as f
from tests.cli.conftest import Cli

QUOTE = ["--start", "2024-06-01T10:00:00+10:00", "--kwh", "1", "--minutes", "5"]
NEW_STATION = ["stations", "create", "ST-9", "--evse-id", "E-9", "--name", "N"]
NEW_STATION += ["--location", "{LOCATION}"]
NEW_VEHICLE = ["vehicles", "create", "{VIN}", "--fleet", "Vans", "--registration", "R"]
PAY = ["invoices", "pay", "1001", "--amount", "1"]
LISTEN = ["webhooks", "listen", "6f1c0000-0000-4000-8000-000000000000", "--forward-to"]


def _not_run(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("a refused value must not start anything")


@pytest.fixture(autouse=True)
def _nothing_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Should a check let a value through, the test fails instead of serving or loading."""
    monkeypatch.setattr(server, "serve", _not_run)
    monkeypatch.setattr(demo_command, "run_demo", _not_run)
    monkeypatch.setattr(runner, "simulate", _not_run)


@pytest.fixture
def hostile(tmp_path: Path) -> dict[str, str]:
    """Files and paths no command can read or write."""
    files = {
        "invalid_utf8": b'{"name": "\xff\xfe"}',
        "nul_inside": b'{"name": \x00}',
        "empty": b"",
        "nested": b"[" * 10_000 + b"]" * 10_000,
        "wide_csv": (",".join(f"c{n}" for n in range(5_000)) + "\n").encode(),
        "invalid_utf8_csv": b"vin,registration_number,fleet\nAAAAAAAAAAAAAAAAA,\xff\xfe,Vans\n",
        "nul_csv": b"vin,registration_number,fleet\nAAAAAAAA\x00AAAAAAAAA,ABC,Vans\n",
    }
    paths = {}
    for name, content in files.items():
        path = tmp_path / name
        path.write_bytes(content)
        paths[name] = str(path)
    (tmp_path / "a directory").mkdir()
    paths["directory"] = str(tmp_path / "a directory")
    paths["missing"] = str(tmp_path / "missing.json")
    paths["in_missing_dir"] = str(tmp_path / "no" / "such" / "dir" / "out.csv")
    paths["nul_name"] = str(tmp_path / "a\x00b.json")
    return paths


@pytest.fixture
def world(engine: Engine) -> dict[str, str]:
    with unit_of_work(engine) as db:
        org = f.organisation(db, "Org")
        vehicle = f.vehicle(db, f.fleet(db, org, "Vans"), id_tags=("CARD-1",))
        site = f.site(db, org)
        site.station.ocpp_identity = "ST-1"
        f.invoice(db, org, number=1001)
        return {
            "{VIN}": vehicle.vin,
            "{TARIFF}": str(site.tariff.uuid),
            "{LOCATION}": str(site.location.uuid),
        }


def _one_error_line(result: Result, fragment: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.output
    assert fragment in errors[0], result.output


def _filled(args: list[str], values: dict[str, str]) -> list[str]:
    for placeholder, value in values.items():
        args = [arg.replace(placeholder, value) for arg in args]
    return args


# Commands reading the database: (arguments, what the one error line says).
WITH_DATABASE = [
    # Billing months.
    (["billing", "run", "--period", "99999-01"], "billing period '99999-01' is not a month"),
    (["billing", "run", "--period", "0000-00"], "no billing period 0-00"),
    (["billing", "run", "--dry-run", "--period", "1e400"], "is not a month"),
    (["billing", "approve", "--period", "nan"], "is not a month"),
    (["invoices", "list", "--period", "-1"], "is not a month"),
    # Dates.
    ([*PAY, "--date", "10000-01-01"], "--date must be"),
    ([*PAY, "--date", "0001-01-01"], "--date must be between"),
    ([*PAY, "--date", "2024-01-01\x00"], "--date must be"),
    ([*NEW_VEHICLE, "--from", "inf"], "--from must be a date"),
    ([*NEW_VEHICLE, "--from", "9999-12-31"], "--from must be between 1970 and 9998"),
    (["vehicles", "move", "{VIN}", "--fleet", "Vans", "--from", "0000-01-01"], "--from must be"),
    (["vehicles", "retire", "{VIN}", "--last-day", "99999-01-01"], "--last-day must be a date"),
    (["cards", "create", "T-9", "--expires", "10000-01-01"], "--expires must be an ISO 8601"),
    (
        ["cards", "assign", "CARD-1", "--vehicle", "{VIN}", "--from", "99999"],
        "--from must be an ISO",
    ),
    (["cards", "unassign", "CARD-1", "--from", "1e400"], "--from must be an ISO 8601"),
    (["cards", "expire", "CARD-1", "--at", "0001-01-01T00:00:00+14:00"], "--at must be between"),
    (["audit", "list", "--since", "0001-01-01T00:00:00Z"], "--since: since must be between"),
    # Amounts and numbers.
    (["invoices", "pay", "1001", "--amount", "1e28"], "--amount must be below"),
    (["invoices", "pay", "1001", "--amount", "nan"], "--amount must be an amount"),
    (["invoices", "adjust", "1001", "--amount=-1e400", "--reason", "x"], "--amount must be below"),
    (["invoices", "adjust", "1001", "--amount=-1", "--reason", "a\x00b"], "no control characters"),
    (["invoices", "pay", "9" * 30, "--amount", "1"], "no invoice numbered"),
    (["invoices", "show", "-1"], "No such option: -1"),
    (["organisations", "create", "X", "--network-fee", "1e400"], "--network-fee:"),
    (["organisations", "create", "X", "--vehicle-fee", "nan"], "--vehicle-fee:"),
    (
        ["organisations", "set", "Org", "--rate-limit", "usage=1" + "0" * 20 + "/hour"],
        "--rate-limit:",
    ),
    (["organisations", "set", "Org", "--rate-limit", "usage=1/99999999year"], "--rate-limit:"),
    (["tariffs", "quote", "{TARIFF}", *QUOTE, "--kwh", "1e400"], "--kwh: energy must be between"),
    (["tariffs", "quote", "{TARIFF}", *QUOTE, "--kwh", "inf"], "--kwh: energy must be between"),
    (["tariffs", "quote", "{TARIFF}", *QUOTE, "--minutes", "99999999999"], "--minutes: minutes"),
    (["tariffs", "quote", "{TARIFF}", *QUOTE, "--minutes", "1e400"], "'--minutes'"),
    (["tariffs", "quote", "{TARIFF}", *QUOTE, "--parked-minutes", "9" * 25], "--parked-minutes: "),
    ([*NEW_STATION, "--power", "1e400"], "--power:"),
    ([*NEW_STATION, "--power", "nan"], "--power:"),
    (["stations", "set", "ST-1", "--connector", "9" * 20 + "=CCS2"], "--connector:"),
    (["audit", "list", "--limit", "9" * 20], "'--limit'"),
    (["audit", "list", "--limit", "-1"], "'--limit'"),
    (
        ["tokens", "issue", "--org", "Org", "--expires-in", "9" * 20 + "d"],
        "--expires-in: invalid duration",
    ),
    # Files.
    (["tariffs", "create", "{invalid_utf8}"], "not valid UTF-8"),
    (["tariffs", "create", "{nul_inside}"], "not valid JSON"),
    (["tariffs", "create", "{empty}"], "not valid JSON"),
    (["tariffs", "create", "{nested}"], "depth limit exceeded"),
    (["tariffs", "create", "{directory}"], "cannot read"),
    (["tariffs", "create", "{missing}"], "cannot read"),
    (["tariffs", "create", "{nul_name}"], "a file name has no NUL character"),
    (["import", "vehicles", "{invalid_utf8_csv}", "--org", "Org"], "not UTF-8 text"),
    (["import", "vehicles", "{nul_csv}", "--org", "Org"], "a NUL character"),
    (["import", "vehicles", "{empty}", "--org", "Org"], "the file is empty"),
    (["import", "vehicles", "{wide_csv}", "--org", "Org"], "5,000 columns"),
    (["import", "vehicles", "{directory}", "--org", "Org"], "cannot read"),
    (["import", "locations", "{missing}"], "cannot read"),
    (["import", "locations", "{nul_name}"], "'file': Value error, embedded null byte"),
    (["invoices", "pdf", "1001", "-o", "{directory}"], "--output: cannot write"),
    (["invoices", "pdf", "1001", "-o", "{in_missing_dir}"], "--output: cannot write"),
    # Text that looks like console markup is shown as it is.
    (["organisations", "show", "[/x]"], "no organisation named or with UUID '[/x]'"),
    (["invoices", "show", "[/x]"], "'[/x]' is neither an invoice number nor a UUID"),
    (["billing", "run", "--period", "[bold]2024-01"], "'[bold]2024-01' is not a month"),
]


@pytest.mark.parametrize(("args", "fragment"), WITH_DATABASE)
def test_a_bad_value_is_one_line_naming_it(
    cli: Cli, world: dict[str, str], hostile: dict[str, str], args: list[str], fragment: str
) -> None:
    holes = {f"{{{name}}}": path for name, path in hostile.items()}
    _one_error_line(cli(*_filled(args, {**world, **holes})), fragment)


# Commands that read no database (servers, simulations, other APIs).
WITHOUT_DATABASE = [
    (["simulate", "--speed", "inf"], "'--speed'"),
    (["simulate", "--speed", "nan"], "'--speed'"),
    (["simulate", "--parked-minutes", "1e300"], "'--parked-minutes'"),
    (["simulate", "--reconnect", "inf"], "'--reconnect'"),
    (["simulate", "--timeout", "inf"], "'--timeout'"),
    (["simulate", "--stations", "1000000000"], "'--stations'"),
    (["simulate", "--sessions", "9" * 20], "'--sessions'"),
    (["simulate", "--sample-interval", "9" * 20], "'--sample-interval'"),
    (["simulate", "--url", "ws://127.0.0.1:99999/ocpp"], "--url 'ws://127.0.0.1:99999/ocpp'"),
    (["simulate", "--url", "ws://[::1/ocpp"], "--url"),
    (["simulate", "--url", "ws://127.0.0.1:8000/oc\x00pp"], "--url"),
    (["serve", "--workers", "9" * 20], "'--workers'"),
    (["serve", "--port", "1e400"], "'--port'"),
    (["demo", "--sessions", "9" * 20, "--no-serve"], "'--sessions'"),
    (["demo", "--live", "--live-speed", "inf"], "'--live-speed'"),
    (["stations", "unlock", "ST-1", "--connector", "9" * 20], "'--connector'"),
    (["stations", "connected", "--server", "http://[::1"], "--server"),
    (["export", "usage", "--from", "0001-01-01"], "--from must be between 1970 and 9998"),
    (["export", "usage", "--to", "nan"], "--to must be a date"),
    (["export", "sessions", "--from", "10000-01-01"], "--from must be a date"),
    (["export", "usage", "-o", "{directory}"], "--output: cannot write"),
    (["export", "usage", "-o", "{in_missing_dir}"], "--output: cannot write"),
    (["export", "usage", "--base-url", "http://127.0.0.1:99999"], "--base-url"),
    (["export", "usage", "--base-url", "http://[::1"], "--base-url"),
    (["export", "usage", "--base-url", "\x00"], "--base-url"),
    (["report", "reconcile", "--from", "2024-01-01", "--to", "-1"], "--to must be a date"),
    ([*LISTEN, "http://127.0.0.1:3000/h", "--interval", "nan"], "'--interval'"),
    ([*LISTEN, "http://127.0.0.1:3000/h", "--timeout", "inf"], "'--timeout'"),
    ([*LISTEN, "http://[::1"], "--forward-to"),
    ([*LISTEN, "ftp://127.0.0.1/h"], "--forward-to"),
    (
        [
            "report",
            "vehicle-audit",
            "--from",
            "2024-01-01",
            "--to",
            "2024-01-31",
            "-o",
            "{directory}",
        ],
        "--output: cannot write",
    ),
]


@pytest.fixture
def token_in_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("FLEETCHARGE_TOKEN", "fct_not-used")
    monkeypatch.setenv("FLEETCHARGE_CLIENT_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("FLEETCHARGE_BASE_URL", "http://127.0.0.1:1")
    yield


@pytest.mark.parametrize(("args", "fragment"), WITHOUT_DATABASE)
@pytest.mark.usefixtures("token_in_environment")
def test_a_bad_value_without_a_database_is_one_line_naming_it(
    hostile: dict[str, str], args: list[str], fragment: str
) -> None:
    holes = {f"{{{name}}}": path for name, path in hostile.items()}
    _one_error_line(CliRunner().invoke(app, _filled(args, holes)), fragment)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_an_unreadable_file_is_one_line(tmp_path: Path) -> None:
    locked = tmp_path / "locked.json"
    locked.write_text("{}")
    locked.chmod(0)
    _one_error_line(CliRunner().invoke(app, ["tariffs", "create", str(locked)]), "cannot read")
