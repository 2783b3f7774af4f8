"""The CLI on issue 18's rules: a month still running is refused, a void document shows
nothing due and names its replacement, overdue is derived, and organisations' billing
details are set with checked options."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select, update

from fleetcharge.billing.period import Period
from fleetcharge.db import unit_of_work
from fleetcharge.models import Invoice, Organisation
from tests.cli.conftest import Cli
from tests.cli.test_billing import invoice_count, june_network, ok, refused


def test_the_running_month_is_refused(cli: Cli, engine: Engine) -> None:
    june_network(engine)
    running = Period.of(datetime.now(ZoneInfo("Australia/Perth")).date())  # Fleet Co's zone

    for dry_run in ([], ["--dry-run"]):
        refused(
            cli("billing", "run", "--period", str(running), *dry_run),
            f"billing period {running} has not ended for",
        )
    assert invoice_count(engine) == 0


def test_a_void_document_shows_nothing_due_and_its_replacement(cli: Cli, engine: Engine) -> None:
    june_network(engine)
    ok(cli("billing", "run", "--period", "2024-06"))
    ok(cli("billing", "approve"))
    ok(cli("invoices", "void", "10000002"))  # the RCTI first
    ok(cli("invoices", "void", "10000003"))

    listed = ok(cli("invoices", "list", "--status", "void"))
    assert "10000003" in listed and "0.00" in listed.split("10000003")[1].splitlines()[0]
    shown = ok(cli("invoices", "show", "10000003"))
    assert f"void on {datetime.now(UTC):%Y-%m-%d}: nothing is due" in shown
    assert " ".join(shown.split()).count("due 0.00") == 1

    ok(cli("billing", "run", "--period", "2024-06"))
    ok(cli("billing", "approve"))
    with unit_of_work(engine) as db:
        replacement = db.scalars(
            select(Invoice).where(Invoice.kind == "site_host", Invoice.status == "approved")
        ).one()
        number = str(replacement.invoice_number)
    assert "replaces 10000003" in " ".join(ok(cli("invoices", "show", number)).split())


def test_overdue_is_listed_and_shown(cli: Cli, engine: Engine) -> None:
    june_network(engine)
    ok(cli("billing", "run", "--period", "2024-06"))
    ok(cli("billing", "approve"))
    shown = " ".join(ok(cli("invoices", "show", "10000001")).split())
    with unit_of_work(engine) as db:
        issued = db.scalars(select(Invoice).where(Invoice.invoice_number == 10000001)).one()
        assert issued.due_date == issued.invoice_date + timedelta(days=14)
    assert f"due date {issued.due_date:%Y-%m-%d}" in shown and "status approved" in shown
    assert ok(cli("invoices", "list", "--status", "overdue")).startswith("No invoices")

    with unit_of_work(engine) as db:
        db.execute(
            update(Invoice)
            .where(Invoice.invoice_number == 10000001)
            .values(due_date=date.today() - timedelta(days=3))
        )
    overdue = ok(cli("invoices", "list", "--status", "overdue"))
    assert "10000001" in overdue and "10000003" not in overdue and "overdue" in overdue
    assert "overdue (3 days past due)" in ok(cli("invoices", "show", "10000001"))
    ok(cli("invoices", "pay", "10000001", "--amount", "10.95"))
    assert ok(cli("invoices", "list", "--status", "overdue")).startswith("No invoices")


def test_organisation_billing_details(cli: Cli, engine: Engine) -> None:
    ok(cli("organisations", "create", "Cybertron", "--payment-terms-days", "30"))
    refused(
        cli(
            "organisations", "set", "Cybertron", "--billing-email", "a@b.co", "--billing-email", "x"
        ),
        "--billing-email: billing_emails[1] must be an email address",
    )
    refused(
        cli("organisations", "set", "Cybertron", "--payment-terms-days", "366"),
        "--payment-terms-days",
    )
    refused(
        cli("organisations", "set", "Cybertron", "--payment-terms-days", "-1"),
        "--payment-terms-days",
    )
    out = ok(
        cli(
            "organisations",
            "set",
            "Cybertron",
            "--legal-name",
            "Cybertron Logistics Pty Ltd",
            "--billing-email",
            "ap@cybertron.example",
            "--billing-email",
            "AP@cybertron.example",
            "--billing-email",
            "cfo@cybertron.example",
            "--purchase-order",
            "PO-4471",
        )
    )
    assert "payment terms 30 days" in out
    assert "invoices to ap@cybertron.example, cfo@cybertron.example" in out
    with unit_of_work(engine) as db:
        org = db.scalars(select(Organisation)).one()
        assert (org.legal_name, org.purchase_order, org.payment_terms_days) == (
            "Cybertron Logistics Pty Ltd",
            "PO-4471",
            30,
        )
    ok(cli("organisations", "set", "Cybertron", "--billing-email", ""))
    with unit_of_work(engine) as db:
        assert db.scalars(select(Organisation)).one().billing_emails == []
