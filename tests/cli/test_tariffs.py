"""`fleetcharge tariffs create | list | show | quote | override` against a real database."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import Result

from fleetcharge.db import engine_for, unit_of_work
from fleetcharge.models import Tariff
from fleetcharge.tariffs.repository import applicable_tariff
from tests import factories as f
from tests.cli.conftest import Cli

TIME_OF_USE: dict[str, Any] = {
    "name": "Peak and off-peak",
    "parking_grace_minutes": 10,
    "max_price": 100,
    "elements": [
        {
            "price_components": [{"type": "ENERGY", "price": 0.65}],
            "restrictions": {"start_time": "16:00", "end_time": "21:00"},
        },
        {
            "price_components": [{"type": "ENERGY", "price": 0.30}],
            "restrictions": {"start_time": "21:00", "end_time": "07:00"},
        },
        {
            "price_components": [
                {"type": "ENERGY", "price": 0.45},
                {"type": "PARKING_TIME", "price": 24.00, "step_size": 60},
            ]
        },
    ],
}

NOW = datetime(2026, 3, 1, 9, tzinfo=UTC)


class TariffsCli(Cli):
    def __call__(self, *args: str, stdin: str | None = None) -> Result:
        return super().__call__("tariffs", *args, stdin=stdin)


@pytest.fixture
def cli(database_url: str) -> Iterator[Cli]:
    yield TariffsCli(database_url)
    engine_for.cache_clear()


@pytest.fixture
def tariff_file(tmp_path: Path) -> Path:
    path = tmp_path / "tou.json"
    path.write_text(json.dumps(TIME_OF_USE))
    return path


def _tariffs(engine: Engine) -> int:
    with unit_of_work(engine) as db:
        return int(db.scalar(select(func.count()).select_from(Tariff)) or 0)


def test_create_list_show_round_trip(cli: Cli, tariff_file: Path) -> None:
    created = cli("create", str(tariff_file))
    assert created.exit_code == 0, created.output
    listed = json.loads(cli("list", "--json").stdout)
    assert [t["name"] for t in listed] == ["Peak and off-peak"]
    uuid = listed[0]["uuid"]
    assert uuid in created.stdout
    shown = json.loads(cli("show", uuid, "--json").stdout)
    assert shown["uuid"] == uuid and shown["max_price"] == "100.00"
    assert [e.get("restrictions") for e in shown["elements"]] == [
        {"start_time": "16:00", "end_time": "21:00"},
        {"start_time": "21:00", "end_time": "07:00"},
        None,
    ]
    # What `show --json` prints is itself a valid document: it can be created again.
    again = cli("create", "-", stdin=json.dumps({k: v for k, v in shown.items() if k != "uuid"}))
    assert again.exit_code == 0, again.output
    table = cli("show", "Peak and off-peak")
    assert table.exit_code == 2 and "more than one tariff is named" in table.output


def test_invalid_documents_name_every_problem_and_store_nothing(
    cli: Cli, tmp_path: Path, engine: Engine
) -> None:
    bad = {**TIME_OF_USE, "currency": "dollars"}
    bad["elements"] = [{"price_components": [{"type": "ENERGY", "price": -1}]}]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    result = cli("create", str(path))
    assert result.exit_code == 2
    assert "currency: String should match pattern" in result.output
    assert "elements[0].price_components[0].price: Input should be greater than" in result.output
    assert "Traceback" not in result.output
    broken = cli("create", "-", stdin='{"name": "x",\n  "elements": [}')
    assert broken.exit_code == 2
    assert "not valid JSON" in broken.output and "line 2, column 16" in broken.output
    missing = cli("create", str(tmp_path / "nope.json"))
    assert missing.exit_code == 2 and "cannot read" in missing.output
    assert _tariffs(engine) == 0


def test_quote_shows_each_period_and_the_total(cli: Cli, tariff_file: Path) -> None:
    assert cli("create", str(tariff_file)).exit_code == 0
    args = ["--start", "2026-03-01T17:30+11:00", "--kwh", "30", "--minutes", "45"]
    result = cli("quote", "Peak and off-peak", *args, "--parked-minutes", "20", "--json")
    assert result.exit_code == 0, result.output
    quote = json.loads(result.stdout)
    # 30 kWh at the 65c peak; 20 min idle, 10 of them after the grace, at $24/h.
    assert [(p["type"], p["amount"], p["gst"]) for p in quote["periods"]] == [
        ("ENERGY", "19.50", "1.77"),
        ("PARKING_TIME", "4.00", "0.36"),
    ]
    assert quote["total"] == {"amount": "23.50", "gst": "2.13"}
    table = cli("quote", "Peak and off-peak", *args, "--parked-minutes", "20")
    assert "Total AUD 23.50 including GST 2.13." in table.stdout


def test_quote_uses_the_location_clock(cli: Cli, tariff_file: Path, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        site = f.site(db, f.organisation(db), timezone="Australia/Perth")
        location = site.location.name
    args = ["--start", "2026-03-01T20:30", "--kwh", "12", "--minutes", "60", "--json"]
    # A file can be quoted before it is created; the start is Perth local time.
    result = cli("quote", str(tariff_file), *args, "--location", location)
    assert result.exit_code == 0, result.output
    periods = json.loads(result.stdout)["periods"]
    assert [(p["start_date_time"], p["consumption_kwh"], p["amount"]) for p in periods] == [
        ("2026-03-01T20:30:00+08:00", "6.000", "3.90"),
        ("2026-03-01T21:00:00+08:00", "6.000", "1.80"),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "yesterday"], "--start must be like 2026-03-01T17:30+11:00"),
        (["--kwh", "lots"], "--kwh must be a number, got 'lots'"),
        (["--kwh", "5", "--minutes", "0"], "energy needs charging time"),
        (["--kwh", "nan"], "energy must be between 0 and 10000 kWh"),
        (["--kwh", "1e400"], "energy must be between 0 and 10000 kWh"),
        (["--minutes", "99999999999"], "minutes must be between 0 and 10080"),
        (["--start", "9999-12-31T23:00+00:00", "--minutes", "120"], "between 1970 and 9998"),
        (["--timezone", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
        (["--location", "Nowhere"], "no location named or with UUID 'Nowhere'"),
    ],
)
def test_quote_rejects_bad_arguments_clearly(
    cli: Cli, tariff_file: Path, args: list[str], message: str
) -> None:
    defaults = {"--start": "2026-03-01T17:30+11:00", "--kwh": "5", "--minutes": "30"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        defaults[flag] = value
    flat = [item for pair in defaults.items() for item in pair]
    result = cli("quote", str(tariff_file), *flat)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_override_sets_and_clears(cli: Cli, tariff_file: Path, engine: Engine) -> None:
    assert cli("create", str(tariff_file)).exit_code == 0
    with unit_of_work(engine) as db:
        host = f.organisation(db)
        site = f.site(db, host)
        names = (host.name, site.location.name)
    override = ["--org", names[0], "--location", names[1]]
    assert cli("override", "Peak and off-peak", *override).exit_code == 0
    with unit_of_work(engine) as db:
        station = db.merge(site.station)
        assert applicable_tariff(db, station, host.id, NOW).spec.max_price == 100
    assert cli("override", *override).exit_code == 2  # neither a tariff nor --clear
    cleared = cli("override", *override, "--clear")
    assert cleared.exit_code == 0 and "Override removed." in cleared.stdout
    with unit_of_work(engine) as db:
        station = db.merge(site.station)
        assert applicable_tariff(db, station, host.id, NOW).tariff_id == site.tariff.id


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"name": "x\xff"}', "not valid JSON"),
        (b"[" * 10_000 + b"]" * 10_000, "not valid JSON"),
        (b'{"name": "n", "elements": [{"price_components": [{"type": "ENERGY", "price": NaN}]}]}',
         "not valid JSON"),
        (b'{"name": "n", "elements": [{"price_components": [{"type": "ENERGY", "price": 1e300}]}]}',
         "elements[0].price_components[0].price"),
    ],
)  # fmt: skip
def test_hostile_files_are_one_error_each(
    cli: Cli, tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "tariff.json"
    path.write_bytes(content)
    result = cli("create", str(path))
    assert result.exit_code == 2, result.output
    assert expected in result.output and "Traceback" not in result.output


OCPI_EXAMPLES = Path(__file__).parents[1] / "pricing" / "ocpi_2_2_1"


def test_check_explains_every_field(cli: Cli) -> None:
    result = cli("check", str(OCPI_EXAMPLES / "tariff_6_025kwh_start_max_price.json"))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "prices: excluding VAT" in out
    assert "max_price: 10.00 excl. VAT and 11.00 incl. VAT" in out
    assert "end_date_time: 2019-06-30T23:59:59+00:00" in out
    assert "FLAT 0.50 excl. VAT + 20% VAT = 0.60 incl. VAT per session" in out
    for field in ("country_code", "party_id", "id", "last_updated", "currency"):
        assert f"{field}: " in out, field
    alt = cli("check", str(OCPI_EXAMPLES / "tariff_2_alt_text.json"))
    assert "tariff_alt_text (nl): '2.00 euro p/uur inclusief BTW.', shown to users" in alt.stdout
    assert "type: AD_HOC_PAYMENT" in alt.stdout


def test_check_names_every_problem_with_exit_1(cli: Cli) -> None:
    bad = {
        "elements": [{"price_components": [{"type": "ENERGY", "price": -1, "step_size": -1}]}],
        "energy_mix": {"is_green_energy": "maybe"},
        "last_updated": "yesterday",
    }
    result = cli("check", "-", stdin=json.dumps(bad))
    assert result.exit_code == 1
    for path in (
        "name:",
        "elements[0].price_components[0].price:",
        "elements[0].price_components[0].step_size:",
        "energy_mix.is_green_energy:",
        "last_updated:",
    ):
        assert path in result.output, path


def test_publish_history_and_show(cli: Cli, tariff_file: Path, tmp_path: Path) -> None:
    assert cli("create", str(tariff_file)).exit_code == 0
    later = {
        **TIME_OF_USE,
        "tariff_alt_text": [{"language": "en", "text": "Peak 4pm-9pm."}],
        "tariff_alt_url": "https://fleetcharge.example/peak",
    }
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(later))
    refused = cli("publish", "Peak and off-peak", str(path))
    assert refused.exit_code == 2 and "start_date_time: required" in refused.output
    past = cli("publish", "Peak and off-peak", str(path), "--from", "2020-01-01T00:00+11:00")
    assert past.exit_code == 2 and "start_date_time: must not be in the past" in past.output
    published = cli("publish", "Peak and off-peak", str(path), "--from", "2099-07-01T00:00+10:00")
    assert published.exit_code == 0, published.output
    assert "version 2 takes effect 2099-06-30T14:00:00+00:00" in published.stdout
    history = json.loads(cli("history", "Peak and off-peak", "--json").stdout)
    assert [(h["version"], h["valid_from"], h["in_force"]) for h in history] == [
        (1, None, True),
        (2, "2099-06-30T14:00:00+00:00", False),
    ]
    table = cli("history", "Peak and off-peak")
    assert table.exit_code == 0 and "2099-06-30T14:00:00+00:00" in table.stdout
    # show gives the version in force now: version 1, without the alternative text yet.
    assert "Peak 4pm-9pm." not in cli("show", "Peak and off-peak").stdout


def test_show_gives_alt_text_url_and_energy_mix(cli: Cli, tmp_path: Path) -> None:
    document = json.loads((OCPI_EXAMPLES / "tariff_2_alt_text.json").read_text())
    document["energy_mix"] = {"is_green_energy": True, "energy_sources": [
        {"source": "SOLAR", "percentage": 80}, {"source": "WIND", "percentage": 20}
    ]}  # fmt: skip
    document["tariff_alt_url"] = "https://example.com/tariffs/12"
    path = tmp_path / "alt.json"
    path.write_text(json.dumps(document))
    assert cli("create", str(path)).exit_code == 0
    shown = cli("show", "12").stdout
    assert "en: 2.00 euro p/hour including VAT." in shown
    assert "More: https://example.com/tariffs/12" in shown
    assert "Energy: green SOLAR 80% WIND 20%" in shown.replace(",", "")
    assert "prices excl. VAT" in shown and "type: AD_HOC_PAYMENT" in shown
    kept = json.loads(cli("show", "12", "--json").stdout)
    assert kept["energy_mix"]["energy_sources"][0] == {"source": "SOLAR", "percentage": "80"}
    assert kept["last_updated"] == "2015-06-29T20:39:09Z"
