"""`fleetcharge billing run | approve` and `fleetcharge invoices ...` end to end: what an
operator sees, and errors as messages with exit code 2, never a traceback."""

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine, func, select
from typer.testing import Result

from fleetcharge.billing.period import Period
from fleetcharge.db import unit_of_work
from fleetcharge.models import Invoice, Organisation
from fleetcharge.settings import get_settings
from tests import factories as f
from tests.cli.conftest import Cli

SYDNEY = ZoneInfo("Australia/Sydney")


def june_network(engine: Engine) -> None:
    """Fleet Co (Perth) charges twice in June 2024 at Host Co's Sydney station."""
    with unit_of_work(engine) as db:
        fleet_org = f.organisation(db, "Fleet Co")
        fleet_org.billing_timezone = "Australia/Perth"
        vehicle = f.vehicle(db, f.fleet(db, fleet_org, "Vans"))
        site = f.site(db, f.organisation(db, "Host Co"))
        for day in (3, 4):
            f.charge(db, site, f.driver(db, vehicle), datetime(2024, 6, day, tzinfo=SYDNEY))


def invoice_count(engine: Engine) -> int:
    with unit_of_work(engine) as db:
        return db.scalar(select(func.count()).select_from(Invoice)) or 0


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def refused(result: Result, message: str) -> None:
    """Exit code 2 and the message (however the console wrapped it), no traceback."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert message in " ".join(result.output.split())


@pytest.fixture
def operator_abn(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("FLEETCHARGE_OPERATOR_ABN", "51 824 753 556")
    monkeypatch.setenv("FLEETCHARGE_OPERATOR_LEGAL_NAME", "Fleetcharge Networks Pty Ltd")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_dry_run_shows_the_documents_and_saves_nothing(cli: Cli, engine: Engine) -> None:
    june_network(engine)

    out = ok(cli("billing", "run", "--period", "2024-06", "--dry-run"))

    assert "Dry run for 2024-06: 3 documents would be drafted; nothing saved." in out
    assert "Fleet Co" in out and "Host Co" in out and "rcti" in out
    assert "10.95" in out  # 4.95 vehicle fee + 2 x 3.00 charging
    assert invoice_count(engine) == 0


def test_run_then_approve_then_run_again(cli: Cli, engine: Engine) -> None:
    june_network(engine)

    out = ok(cli("billing", "run", "--period", "2024-06"))
    assert "Drafted 3 documents for 2024-06" in out
    assert ok(cli("billing", "run", "--period", "2024-06")).startswith("Nothing new to draft")
    approved = ok(cli("billing", "approve"))
    assert "Approved 3 documents, numbers 10000001 to 10000003." in approved
    assert ok(cli("billing", "approve")).startswith("No drafts to approve")

    listed = ok(cli("invoices", "list", "--status", "approved"))
    assert all(str(n) in listed for n in (10000001, 10000002, 10000003))


def test_by_default_each_organisation_bills_its_last_completed_month(
    cli: Cli, engine: Engine
) -> None:
    now = datetime.now(UTC)
    perth, sydney = (Period.last_completed(tz, now) for tz in ("Australia/Perth", SYDNEY.key))
    with unit_of_work(engine) as db:
        org = f.organisation(db, "West")
        org.billing_timezone = "Australia/Perth"
        f.vehicle(db, f.fleet(db, org))
        f.vehicle(db, f.fleet(db, f.organisation(db, "East")))

    out = ok(cli("billing", "run"))

    with unit_of_work(engine) as db:
        drafted = {i.organisation_id: i.period_start for i in db.scalars(select(Invoice))}
        names = {o.id: o.name for o in db.scalars(select(Organisation))}
    assert {names[o]: d for o, d in drafted.items()} == {
        "West": perth.first_day,
        "East": sydney.first_day,
    }
    assert str(sydney) in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["billing", "run", "--period", "2024-13"], "no billing period 2024-13"),
        (["billing", "run", "--period", "June"], "is not a month like 2026-10"),
        (["billing", "run", "--org", "Nobody"], "no organisation named or with UUID 'Nobody'"),
        (["billing", "approve", "--period", "24-6"], "is not a month like 2026-10"),
        (["invoices", "show", "123"], "no invoice numbered or with UUID '123'"),
        (["invoices", "show", "abc"], "'abc' is neither an invoice number nor a UUID"),
        (["invoices", "list", "--status", "open"], "status must be one of"),
    ],
)
def test_bad_input_is_a_message(cli: Cli, engine: Engine, args: list[str], message: str) -> None:
    june_network(engine)
    refused(cli(*args), message)
    assert invoice_count(engine) == 0


def test_pay_void_adjust_and_show(cli: Cli, engine: Engine) -> None:
    june_network(engine)
    ok(cli("billing", "run", "--period", "2024-06"))
    ok(cli("billing", "approve"))
    # Numbered by date, organisation, kind: the host's RCTI before its site-host invoice.
    fleet, rcti, site_host = "10000001", "10000002", "10000003"

    refused(cli("invoices", "pay", fleet, "--amount", "11.00"), "more than the 10.95 due")
    refused(cli("invoices", "pay", fleet, "--amount", "1.001"), "at most 2 decimal places")
    refused(cli("invoices", "pay", fleet, "--amount", "5", "--date", "5/7"), "--date must be")
    out = ok(cli("invoices", "pay", fleet, "--amount", "5.00", "--date", "2024-07-05"))
    assert "5.00 of 10.95 settled, 5.95 due; status approved" in out
    refused(cli("invoices", "void", fleet), "cannot be voided")

    refused(cli("invoices", "adjust", fleet, "--amount", "2", "--reason", "x"), "negative amount")
    out = ok(cli("invoices", "adjust", fleet, "--amount", "-5.95", "--reason", "Goodwill"))
    assert "crediting 5.95 (GST 0.54) on invoice 10000001" in out
    ok(cli("billing", "approve"))
    shown = ok(cli("invoices", "show", fleet))
    for expected in ("paid", "2024-07-05", "adjustment credit with 10000004", "Vans - Fees"):
        assert expected in shown, expected
    refused(cli("invoices", "pay", fleet, "--amount", "1"), "already paid in full")

    refused(cli("invoices", "void", site_host), "void (or discard) it first")
    assert "void; its sessions will be billed again" in ok(cli("invoices", "void", rcti))
    ok(cli("invoices", "void", site_host))
    refused(cli("invoices", "pay", rcti, "--amount", "1"), "is void")
    refused(cli("invoices", "void", rcti), "is void already")


def test_pdf(cli: Cli, engine: Engine, tmp_path: Path, operator_abn: None) -> None:
    june_network(engine)
    ok(cli("billing", "run", "--period", "2024-06"))
    ok(cli("billing", "approve"))
    target = tmp_path / "invoice.pdf"

    out = ok(cli("invoices", "pdf", "10000001", "-o", str(target)))

    assert "Tax invoice 10000001 written to" in out
    text = " ".join(PdfReader(io.BytesIO(target.read_bytes())).pages[0].extract_text().split())
    assert "Fleetcharge Networks Pty Ltd" in text and "ABN 51 824 753 556" in text
    assert "Total (GST inclusive) $10.95" in text
    refused(cli("invoices", "pdf", "10000001", "-o", str(tmp_path / "no" / "x.pdf")), "cannot")


def test_pdf_without_the_operators_abn(cli: Cli, engine: Engine, tmp_path: Path) -> None:
    june_network(engine)
    ok(cli("billing", "run", "--period", "2024-06"))
    ok(cli("billing", "approve"))
    refused(cli("invoices", "pdf", "10000001", "-o", str(tmp_path / "x.pdf")), "OPERATOR_ABN")
