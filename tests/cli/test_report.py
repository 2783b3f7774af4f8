"""`fleetcharge report ...`: the CSV and the terminal table, on the crafted data set served
by a fake server, and on our own server over loopback."""

import csv
from pathlib import Path

import pytest
from sqlalchemy import Engine

from fleetcharge.web.app import create_app
from tests.cli.remote_cli import RemoteCli, assert_failed, said
from tests.client import crafted
from tests.client.fakes import FakeApi, error_body, status
from tests.client.server import build_world, loopback

PERIOD = ("--from", "2024-06-01", "--to", "2024-06-30")


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> RemoteCli:
    return RemoteCli(monkeypatch, tmp_path)


def read_csv(path: str) -> list[dict[str, str]]:
    with Path(path).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_reconcile(cli: RemoteCli) -> None:
    api = cli.serve(
        FakeApi(
            {"usage": crafted.RECONCILE_USAGE, "invoices": crafted.RECONCILE_INVOICES},
            page_size=2,
        )
    )
    result = cli("report", "reconcile", *PERIOD)
    assert result.exit_code == 0, result.output
    rows = read_csv("reconcile-2024-06-01-2024-06-30.csv")
    invoice_501 = rows[0]
    assert (invoice_501["record"], invoice_501["invoice_number"], invoice_501["result"]) == (
        "invoice",
        "501",
        "mismatch",
    )
    assert (invoice_501["usage_amount"], invoice_501["charging_lines_amount"]) == ("8.46", "10.00")
    assert [row["result"] for row in rows] == [
        "mismatch",
        "amount_differs",
        "periods_differ_from_cost",
        "only_in_usage",
        "only_on_invoice",
        "ok",
        "not_invoiced",
        "invoice_not_listed",
    ]
    text = said(result)
    assert "2 invoices reconciled, 1 with differences; 1 sessions not invoiced yet." in text
    assert "Not reconciled (void, or not a fleet invoice): 503, 504" in text
    # Usage is fetched from the earliest day the invoices bill (10 June) or the period start.
    usage_calls = [req.url for req in api.requests if req.url.path.endswith("/usage")]
    assert usage_calls[0].params["date_from"] == "2024-06-01"


def test_site_host_revenue(cli: RemoteCli) -> None:
    cli.serve(FakeApi({"sessions": crafted.REVENUE_SESSIONS}))
    result = cli("report", "site-host-revenue", *PERIOD, "-o", "revenue.csv")
    assert result.exit_code == 0, result.output
    rows = read_csv("revenue.csv")
    assert [(row["local_date"], row["evse_id"], row["margin"]) for row in rows] == [
        ("2024-06-10", "EVSE-1", "5.12"),
        ("2024-06-10", "EVSE-1", "-0.18"),
        ("2024-06-11", "EVSE-1", "0.75"),
        ("2024-06-11", "EVSE-9", "7.50"),
    ]
    assert rows[3]["timezone"] == "Australia/Perth" and rows[3]["parking_time_seconds"] == "1800"
    # The totals row: 5 sessions, 37.750 kWh, revenue 19.80, cost 6.61, margin 13.19, 3:10 h
    # charging and 0:45 parked.
    total = next(line for line in result.output.splitlines() if "Total" in line)
    cells = [cell.strip() for cell in total.split("│")[1:-1]]
    assert cells[1] == "Total"
    assert cells[4:] == ["5", "37.750", "19.80", "6.61", "13.19", "1.80", "0.61", "3:10", "0:45"]


def test_vehicle_audit(cli: RemoteCli) -> None:
    cli.serve(FakeApi({"vehicles": crafted.AUDIT_VEHICLES, "usage": crafted.AUDIT_USAGE}))
    result = cli("report", "vehicle-audit", *PERIOD, "-o", "audit.csv")
    assert result.exit_code == 0, result.output
    rows = read_csv("audit.csv")
    assert len(rows) == 14
    unknown = [
        (row["id_tag"], row["sessions"]) for row in rows if row["id_tag"] in ("JAZZ", "RATCHET")
    ]
    assert unknown == [("JAZZ", "1"), ("RATCHET", "1"), ("RATCHET", "1")]
    text = said(result)
    assert "Exceptions" in text and "charged_outside_registration" in text and "VIN-GHOST" in text


def test_a_token_without_the_scope_exits_2(cli: RemoteCli) -> None:
    api = cli.serve(FakeApi({}))
    api.script.append(status(403, body=error_body("forbidden", "token may not read sessions")))
    result = cli("report", "site-host-revenue", *PERIOD)
    assert_failed(result, 2, "the token may not read this endpoint", "token may not read sessions")
    assert not Path("site-host-revenue-2024-06-01-2024-06-30.csv").exists()


def test_dates_are_required(cli: RemoteCli) -> None:
    assert_failed(cli("report", "vehicle-audit", "--to", "2024-06-30"), 2, "Missing option")


def test_vehicle_audit_against_our_server_over_loopback(cli: RemoteCli, engine: Engine) -> None:
    world = build_world(engine)
    with loopback(create_app(engine)) as url:
        result = cli("report", "vehicle-audit", *PERIOD, token=world.fleet_token, base_url=url)
    assert result.exit_code == 0, result.output
    findings = {
        (row["finding"], world.vins.get(row["vin"], row["vin"]), row["id_tag"], row["sessions"])
        for row in read_csv("vehicle-audit-2024-06-01-2024-06-30.csv")
    }
    # prime charged with OPTIMUS (never PRIME), bee with BUMBLEBEE, 9 sessions in June.
    assert findings == {
        ("active_vehicle", "prime", "", "5"),
        ("active_vehicle", "bee", "", "4"),
        ("active_vehicle", "cardless", "", "0"),
        ("retired_vehicle", "retired", "", "0"),
        ("cardless_vehicle", "cardless", "", "0"),
        ("card_never_charged", "prime", "PRIME", "0"),
        ("active_vehicle_without_sessions", "cardless", "", "0"),
    }
