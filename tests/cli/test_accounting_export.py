"""`fleetcharge export invoices|payments` from the database: Xero and MYOB files written,
read back and summed; bad options are one message and exit code 2."""

import csv
import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import Invoice
from tests.cli.conftest import Cli
from tests.cli.test_billing import june_network, ok, refused


def billed(cli: Cli, engine: Engine) -> dict[str, Invoice]:
    june_network(engine)
    ok(cli("billing", "run", "--period", "2024-06"))
    ok(cli("billing", "approve"))
    ok(cli("invoices", "pay", "10000001", "--amount", "5.00", "--date", "2024-07-05"))
    with unit_of_work(engine) as db:
        return {i.kind: i for i in db.scalars(select(Invoice))}


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_xero_file_adds_up(cli: Cli, engine: Engine, tmp_path: Path) -> None:
    documents = billed(cli, engine)
    output = tmp_path / "xero.csv"

    result = cli("export", "invoices", "--format", "xero", "--output", str(output))

    assert result.exit_code == 0, result.output
    assert "Exported 2 documents" in result.output
    assert "1 rctis not in this file: export them with --documents rctis" in result.output
    found = rows(output)
    for kind in ("fleet", "site_host"):
        lines = [r for r in found if r["*InvoiceNumber"] == str(documents[kind].invoice_number)]
        assert sum(Decimal(r["*Quantity"]) * Decimal(r["*UnitAmount"]) for r in lines) == (
            documents[kind].total_amount
        )
        assert sum(Decimal(r["TaxAmount"]) for r in lines) == documents[kind].total_tax
        issued = documents[kind].invoice_date
        due = issued + timedelta(days=14)  # the default payment terms
        assert {(r["*InvoiceDate"], r["*DueDate"]) for r in lines} == {
            (f"{issued:%d/%m/%Y}", f"{due:%d/%m/%Y}")
        }


def test_myob_rctis_and_csv(cli: Cli, engine: Engine, tmp_path: Path) -> None:
    documents = billed(cli, engine)
    output = tmp_path / "bills.csv"
    ok(cli("export", "invoices", "--format", "myob", "--documents", "rctis", "-o", str(output)))
    (line,) = rows(output)
    assert Decimal(line["Inc-Tax Amount"]) == documents["rcti"].total_amount
    assert line["Purchase #"] == str(documents["rcti"].invoice_number)

    out = ok(cli("export", "invoices", "--period", "2099-01"))
    assert out.splitlines()[0].startswith("uuid,invoice_number,invoice_date,status")
    assert len(out.splitlines()) == 1  # nothing dated then
    everything = ok(cli("export", "invoices", "--format", "csv"))
    parsed = list(csv.DictReader(io.StringIO(everything)))
    assert {r["kind"] for r in parsed} == {"fleet", "site_host", "rcti"}
    assert {r["period_start"] for r in parsed} == {"2024-06-01"}


def test_payments(cli: Cli, engine: Engine, tmp_path: Path) -> None:
    billed(cli, engine)
    output = tmp_path / "payments.csv"
    ok(cli("export", "payments", "--format", "xero", "--period", "2024-07", "-o", str(output)))
    assert [(r["*Date"], r["*Amount"], r["Reference"]) for r in rows(output)] == [
        ("05/07/2024", "5.00", "10000001")
    ]
    out = ok(cli("export", "payments", "--format", "myob"))
    assert "5.00" in out and "1-1110" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "invoices", "--format", "sage"], "--format must be one of csv, xero, myob"),
        (["export", "invoices", "--period", "2024-13"], "--period: no billing period 2024-13"),
        (["export", "invoices", "--period", "June"], "is not a month like 2026-10"),
        (["export", "invoices", "--format", "xero", "--documents", "bills"], "--documents must"),
        (["export", "payments", "--format", "json"], "--format must be one of csv, xero, myob"),
        (["export", "payments", "--period", "24-01"], "is not a month like 2026-10"),
        (["export", "payments", "--from", "2024-01-02", "--to", "2024-01-01"], "is after --to"),
        (
            ["export", "invoices", "--period", "2024-01", "--from", "2024-01-01"],
            "give --period or --from/--to, not both",
        ),
    ],
)
def test_bad_options(cli: Cli, engine: Engine, args: list[str], message: str) -> None:
    refused(cli(*args), message)
