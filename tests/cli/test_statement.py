"""`fleetcharge invoices statement ORG`: CSV and PDF read back, bad options exit code 2."""

import csv
import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine

from tests.cli.conftest import Cli
from tests.cli.test_accounting_export import billed
from tests.cli.test_billing import june_network, ok, refused


def test_csv_and_pdf(cli: Cli, engine: Engine, tmp_path: Path) -> None:
    billed(cli, engine)  # Fleet Co: 10.95 issued today, 5.00 paid on 2024-07-05
    span = ["--from", "2024-07-01", "--to", "9998-12-31"]
    out = ok(cli("invoices", "statement", "Fleet Co", *span, "--format", "csv"))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["entry"], r["amount"], r["balance"]) for r in rows] == [
        ("opening", "", "0.00"),
        ("payment", "-5.00", "-5.00"),
        ("document", "10.95", "5.95"),
        ("closing", "", "5.95"),
    ]
    output = tmp_path / "statement.pdf"
    result = cli(
        "invoices",
        "statement",
        "Fleet Co",
        *span,
        "-o",
        str(output),
    )
    assert result.exit_code == 0, result.output
    assert "closing balance 5.95" in result.output
    text = PdfReader(output).pages[0].extract_text()
    assert "Statement of account" in text and "$5.95" in text and "$10.95" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2024-13", "--format", "csv"], "--period: no billing period 2024-13"),
        (["--from", "2024-02-30", "--format", "csv"], "--from: from '2024-02-30' is not a day"),
        (["--period", "2024-06", "--format", "xls"], "--format must be one of pdf, csv"),
        (["--period", "2024-06"], "--output is required for a PDF"),
        (["--period", "2024-06", "--to", "2024-06-03", "--format", "csv"], "not both"),
    ],
)
def test_bad_options(cli: Cli, engine: Engine, args: list[str], message: str) -> None:
    june_network(engine)
    refused(cli("invoices", "statement", "Fleet Co", *args), message)


def test_unknown_organisation(cli: Cli, engine: Engine) -> None:
    refused(cli("invoices", "statement", "Nobody", "--format", "csv"), "Nobody")
