"""`fleetcharge export`: files that open in a spreadsheet, resumable after an interruption,
waits shown, clear failures, and the token never printed."""

import csv
import json
import os
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from fleetcharge.cli.export_files import load_state, state_path
from fleetcharge.client.flatten import columns
from fleetcharge.client.paging import Resource
from fleetcharge.web.app import create_app
from tests.api.helpers import make_client, set_page_size, walk_all
from tests.cli.remote_cli import TOKEN, RemoteCli, assert_failed, said
from tests.client import records as r
from tests.client.fakes import FakeApi, connection_refused, error_body, rate_limited, status
from tests.client.server import build_world, loopback


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> RemoteCli:
    return RemoteCli(monkeypatch, tmp_path)


def ten_sessions() -> list[dict]:
    return [r.usage(f"s{i:02d}", amounts=(1.0, 0.5 + i)) for i in range(10)]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def exported_uuids(path: Path, fmt: str) -> list[str]:
    if fmt == "csv":
        return [row["uuid"] for row in read_csv(path)]
    if fmt == "json":
        return [item["uuid"] for item in json.loads(path.read_text())]
    return [json.loads(line)["uuid"] for line in path.read_text().splitlines()]


def test_usage_to_csv_one_row_per_session_or_per_period(cli: RemoteCli) -> None:
    cli.serve(FakeApi({"usage": ten_sessions()}, page_size=3))
    result = cli("export", "usage", "-o", "usage.csv", "--from", "2024-06-01")
    assert result.exit_code == 0, result.output
    assert "Exported 10 records of /usage to usage.csv" in said(result)
    raw = Path("usage.csv").read_bytes()
    assert raw.startswith(b"uuid,auth_id,vin,") and b"\r\n" in raw  # no BOM, CRLF rows
    rows = read_csv(Path("usage.csv"))
    assert list(rows[0]) == columns(Resource.USAGE)
    assert [row["uuid"] for row in rows] == [f"s{i:02d}" for i in range(10)]
    assert rows[3]["cost_to_driver"] == "4.5" and rows[3]["stop_date_time"].endswith("+10:00")
    assert not state_path(Path("usage.csv")).exists()

    cli.serve(FakeApi({"usage": ten_sessions()}, page_size=3))
    result = cli("export", "usage", "-o", "periods.csv", "--per-period", "--bom")
    assert result.exit_code == 0, result.output
    assert "(20 rows)" in said(result)
    assert Path("periods.csv").read_bytes().startswith("\ufeffuuid".encode())
    with Path("periods.csv").open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [(row["uuid"], row["period_index"], row["period_amount"]) for row in rows[:2]] == [
        ("s00", "1", "1.0"),
        ("s00", "2", "0.5"),
    ]


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_an_interrupted_export_resumes_with_every_record_once(cli: RemoteCli, fmt: str) -> None:
    output = Path(f"usage.{fmt}")
    broken = FakeApi({"usage": ten_sessions()}, page_size=3)
    broken.fail_after_pages, broken.after = 2, connection_refused
    cli.serve(broken)
    result = cli("export", "usage", "-o", str(output))
    assert_failed(result, 1, "could not reach", f"run the same command again to resume {output}")
    state = load_state(state_path(output))
    assert state is not None and (state.records, state.total_entries) == (6, 10)
    assert state.next_url is not None and state.next_url.endswith("page=3")
    with output.open("ab") as file:  # as if killed halfway through writing page 3
        file.write(b'"s06","half a row')

    healthy = cli.serve(FakeApi({"usage": ten_sessions()}, page_size=3))
    result = cli("export", "usage", "-o", str(output))
    assert result.exit_code == 0, result.output
    assert "Resuming the export into" in said(result) and "after 6 records" in said(result)
    assert [req.url.params["page"] for req in healthy.requests] == ["3", "4"]
    assert exported_uuids(output, fmt) == [f"s{i:02d}" for i in range(10)]
    assert not state_path(output).exists()


def test_ctrl_c_keeps_what_was_written_for_the_next_run(cli: RemoteCli) -> None:
    def interrupt(request: httpx.Request) -> httpx.Response:
        raise KeyboardInterrupt

    broken = FakeApi({"usage": ten_sessions()}, page_size=3)
    broken.fail_after_pages, broken.after = 3, interrupt
    cli.serve(broken)
    assert_failed(cli("export", "usage", "-o", "usage.csv"), 130, "interrupted; what was written")
    cli.serve(FakeApi({"usage": ten_sessions()}, page_size=3))
    assert cli("export", "usage", "-o", "usage.csv").exit_code == 0
    assert exported_uuids(Path("usage.csv"), "csv") == [f"s{i:02d}" for i in range(10)]


def test_records_shifted_onto_the_next_page_are_not_written_twice(cli: RemoteCli) -> None:
    broken = FakeApi({"usage": ten_sessions()}, page_size=3)
    broken.fail_after_pages, broken.after = 2, status(503)
    cli.serve(broken)
    assert cli("export", "usage", "-o", "usage.csv").exit_code == 1
    # A session completing earlier arrives meanwhile: page 3 now starts with s05.
    cli.serve(FakeApi({"usage": [r.usage("late"), *ten_sessions()]}, page_size=3))
    assert cli("export", "usage", "-o", "usage.csv").exit_code == 0
    assert exported_uuids(Path("usage.csv"), "csv") == [f"s{i:02d}" for i in range(10)]


def test_other_arguments_start_over(cli: RemoteCli) -> None:
    broken = FakeApi({"usage": ten_sessions()}, page_size=3)
    broken.fail_after_pages, broken.after = 1, connection_refused
    cli.serve(broken)
    assert cli("export", "usage", "-o", "usage.csv", "--from", "2024-06-01").exit_code == 1
    cli.serve(FakeApi({"usage": ten_sessions()}, page_size=3))
    result = cli("export", "usage", "-o", "usage.csv", "--from", "2024-06-02")
    assert result.exit_code == 0, result.output
    assert "was started with other arguments: starting over" in said(result)
    assert len(exported_uuids(Path("usage.csv"), "csv")) == 10


def test_a_rate_limit_wait_is_shown(cli: RemoteCli) -> None:
    api = cli.serve(FakeApi({"vehicles": [r.vehicle(f"v{i}", f"VIN{i}") for i in range(5)]}))
    api.script.extend([None, rate_limited(reset=cli.clock.now + 42)])
    result = cli("export", "vehicles", "--format", "jsonl", "-o", "vehicles.jsonl")
    assert result.exit_code == 0, result.output
    assert "Rate limited (HTTP 429): waiting 42 s, until" in said(result)
    assert cli.clock.sleeps == [42]
    assert len(Path("vehicles.jsonl").read_text().splitlines()) == 5


def test_to_standard_output_as_json(cli: RemoteCli) -> None:
    cli.serve(FakeApi({"invoices": [r.invoice(n) for n in (7, 8)]}, page_size=1))
    result = cli("export", "invoices", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [i["invoice_number"] for i in json.loads(result.stdout)] == [7, 8]


@pytest.mark.parametrize(
    ("code", "message"),
    [(401, "the server refused the token"), (403, "the token may not read this endpoint")],
)
def test_refused_tokens_exit_2_and_are_never_echoed(
    cli: RemoteCli, code: int, message: str
) -> None:
    api = cli.serve(FakeApi({"usage": ten_sessions()}))
    api.script.append(status(code, body=error_body("unauthorized", f"bad token {TOKEN}")))
    result = cli("export", "usage", "-o", "usage.csv")
    assert_failed(result, 2, message)
    assert "bad token ***" in said(result)  # even a server quoting it back is masked
    assert len(api.requests) == 1 and not Path("usage.csv").exists()


def test_an_unreachable_server_exits_1(cli: RemoteCli) -> None:
    api = cli.serve(FakeApi({}))
    api.script.extend([connection_refused] * 5)
    result = cli("export", "sessions", "-o", "sessions.csv")
    assert_failed(result, 1, "could not reach", "after 5 attempt(s)", "Is the server running")
    assert "ConnectError: retrying in" in said(result) and len(cli.clock.sleeps) == 4


def test_an_output_that_cannot_be_written_is_refused_before_any_request(cli: RemoteCli) -> None:
    api = cli.serve(FakeApi({"usage": ten_sessions()}))
    assert_failed(cli("export", "usage", "-o", "no/such/folder/usage.csv"), 2, "cannot write")
    assert api.requests == []


def test_a_parameter_the_server_refuses_exits_2(cli: RemoteCli) -> None:
    api = cli.serve(FakeApi({}))
    api.script.append(status(400, body=error_body("invalid_parameter", "too early", "date_from")))
    assert_failed(cli("export", "usage", "--from", "1971-01-01"), 2, "(parameter date_from)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2024-13-01"], "--from must be a date as YYYY-MM-DD, got '2024-13-01'"),
        (["--from", "2024-06-02", "--to", "2024-06-01"], "--from (2024-06-02) is after --to"),
        (["--format", "xml"], "--format must be one of csv, json, jsonl"),
        (["--format", "json", "--per-period"], "--per-period and --bom apply to CSV only"),
    ],
)
def test_bad_arguments_exit_2(cli: RemoteCli, args: list[str], message: str) -> None:
    assert_failed(cli("export", "usage", *args), 2, message)


def test_vehicles_have_no_date_filter_nor_periods(cli: RemoteCli) -> None:
    assert_failed(cli("export", "vehicles", "--from", "2024-06-01"), 2, "No such option")
    assert_failed(cli("export", "vehicles", "--per-period"), 2, "No such option")


def test_the_token_comes_from_the_option_the_environment_or_the_config_file(
    cli: RemoteCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = cli.serve(FakeApi({"vehicles": []}))
    assert_failed(cli("export", "vehicles", token=None), 2, "no API token", "FLEETCHARGE_TOKEN")
    cli.config.write_text('token = "fct_from_config"\nbase_url = "http://ignored.test"\n')
    os.chmod(cli.config, 0o600)
    assert cli("export", "vehicles", token=None).exit_code == 0
    monkeypatch.setenv("FLEETCHARGE_TOKEN", "fct_from_env")
    assert cli("export", "vehicles", token=None).exit_code == 0
    assert cli("export", "vehicles", token="fct_from_option").exit_code == 0
    sent = [req.headers["Authorization"] for req in api.requests]
    assert sent == ["Bearer fct_from_config", "Bearer fct_from_env", "Bearer fct_from_option"]
    os.chmod(cli.config, 0o644)
    result = cli("export", "vehicles", token=None)
    assert "readable by others" in said(result) and "fct_from" not in result.output


def test_against_our_server_over_loopback(
    cli: RemoteCli, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_page_size(monkeypatch, 5)
    world = build_world(engine)
    with make_client(engine) as test_client:
        _, expected = walk_all(test_client, "usage", world.fleet_token, page_size=5)
    with loopback(create_app(engine)) as url:
        fleet = {"token": world.fleet_token, "base_url": url}
        per_period = cli("export", "usage", "--per-period", "-o", "u.csv", **fleet)
        hosted = cli("export", "sessions", "-o", "s.jsonl", token=world.host_token, base_url=url)
    assert per_period.exit_code == 0, per_period.output
    assert hosted.exit_code == 0, hosted.output
    rows = read_csv(Path("u.csv"))
    assert sorted({row["uuid"] for row in rows}) == sorted(s["uuid"] for s in expected)
    periods = sum(len(s["charging_periods"]) for s in expected)
    assert len(rows) == periods
    assert [row["uuid"] for row in rows if row["period_index"] in ("1", "")] == [
        s["uuid"] for s in expected
    ]
    assert len(exported_uuids(Path("s.jsonl"), "jsonl")) == 6
