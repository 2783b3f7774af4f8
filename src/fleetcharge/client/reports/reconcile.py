"""Cost reconciliation: what `/usage` says each invoice billed against what the invoice says.

For every fleet invoice three amounts must agree:
- the sum of the charging-period amounts of the usage sessions carrying its number;
- the sum of its charging line items (the "public charging" lines);
- the sum of its embedded `charge_sessions[].total_cost_incl_tax`;
and the sessions of the two views must be the same set. Findings list every difference,
session by session, plus the usage sessions not invoiced yet.

Fleet invoices are told from site-host documents (network fees, revenue statements): a
fleet invoice is named by a usage session, bills vehicles, or has a "Fees for public
charging" or "Fees for vehicle management" line (the published wording). Its charging
lines are those mentioning "charging". Void invoices bill nothing and are skipped.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from fleetcharge.client.models import Invoice, InvoiceSession, UsageSession
from fleetcharge.client.reports.table import ZERO, local_date, money, within

CHARGING_LINE = re.compile(r"charging", re.IGNORECASE)
# "Autobots - Fees for public charging ...", "... Fees for vehicle management ...", but not a
# site host's "Network fees for public charging at your stations".
FLEET_LINE = re.compile(
    r"(^|- )fees for public charging|fees for vehicle management", re.IGNORECASE
)


@dataclass(frozen=True)
class InvoiceCheck:
    invoice_number: int
    invoice_date: date
    status: str
    usage_sessions: int
    usage_amount: Decimal
    charging_lines_amount: Decimal
    invoice_sessions: int
    invoice_sessions_amount: Decimal
    only_in_usage: int
    only_on_invoice: int
    result: str


@dataclass(frozen=True)
class Finding:
    finding: str
    invoice_number: str
    session_uuid: str
    stop_date_time: datetime | None
    usage_amount: Decimal | None
    invoice_amount: Decimal | None
    detail: str


@dataclass
class Reconciliation:
    invoices: list[InvoiceCheck] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    """Numbers of invoices not reconciled: void, or site-host documents."""

    @property
    def mismatches(self) -> list[InvoiceCheck]:
        return [check for check in self.invoices if check.result != "ok"]


def is_fleet_invoice(invoice: Invoice, numbers_on_usage: set[str]) -> bool:
    if str(invoice.invoice_number) in numbers_on_usage or invoice.vehicles:
        return True
    return any(FLEET_LINE.search(line.description) for line in invoice.line_items)


def reconcile(
    usage: Iterable[UsageSession],
    invoices: Iterable[Invoice],
    date_from: date | None = None,
    date_to: date | None = None,
) -> Reconciliation:
    """Reconcile invoices against usage.

    Sessions not yet invoiced, or invoiced on an invoice not passed in, are reported only
    when they completed (local date at the station) between `date_from` and `date_to`.
    Usage from before `date_from` may be passed in to match the sessions invoices bill
    late (a session billed in the organisation's time zone can complete, at the station,
    on the last day of the previous month).
    """
    sessions = list(usage)
    by_number: dict[str, list[UsageSession]] = defaultdict(list)
    for session in sessions:
        if session.invoice_number is not None:
            by_number[session.invoice_number].append(session)
    report = Reconciliation()
    checked: set[str] = set()
    for invoice in sorted(invoices, key=lambda i: (i.invoice_date, i.invoice_number)):
        number = str(invoice.invoice_number)
        if invoice.status == "void" or not is_fleet_invoice(invoice, set(by_number)):
            report.skipped.append(invoice.invoice_number)
            continue
        checked.add(number)
        findings = _compare_sessions(number, by_number[number], invoice.charge_sessions)
        report.findings += findings
        report.invoices.append(_check(invoice, by_number[number], findings))
    for session in sorted(sessions, key=lambda s: (s.stop_date_time, s.uuid)):
        day = local_date(session.stop_date_time, session.location.timezone)
        if not within(day, date_from, date_to):
            continue
        if session.invoice_number is None:
            report.findings.append(_finding("not_invoiced", "", session, None, ""))
        elif session.invoice_number not in checked:
            detail = "billed on an invoice not dated in the period (or not a fleet invoice)"
            report.findings.append(
                _finding("invoice_not_listed", session.invoice_number, session, None, detail)
            )
    return report


def _check(invoice: Invoice, usage: list[UsageSession], findings: list[Finding]) -> InvoiceCheck:
    usage_amount = sum((s.periods_amount for s in usage), ZERO)
    lines = sum(
        (
            line.amount_incl_tax
            for line in invoice.line_items
            if CHARGING_LINE.search(line.description)
        ),
        ZERO,
    )
    billed = sum((s.total_cost_incl_tax for s in invoice.charge_sessions), ZERO)
    only_in_usage = sum(1 for f in findings if f.finding == "only_in_usage")
    only_on_invoice = sum(1 for f in findings if f.finding == "only_on_invoice")
    agree = usage_amount == lines == billed and not findings
    return InvoiceCheck(
        invoice.invoice_number,
        invoice.invoice_date,
        invoice.status,
        len(usage),
        money(usage_amount),
        money(lines),
        len(invoice.charge_sessions),
        money(billed),
        only_in_usage,
        only_on_invoice,
        "ok" if agree else "mismatch",
    )


def _compare_sessions(
    number: str, usage: list[UsageSession], billed: list[InvoiceSession]
) -> list[Finding]:
    on_invoice = {s.uuid: s for s in billed}
    in_usage = {s.uuid for s in usage}
    findings: list[Finding] = []
    for session in sorted(usage, key=lambda s: (s.stop_date_time, s.uuid)):
        line = on_invoice.get(session.uuid)
        if session.cost_to_driver is not None and session.periods_amount != session.cost_to_driver:
            findings.append(
                _finding(
                    "periods_differ_from_cost",
                    number,
                    session,
                    session.cost_to_driver,
                    f"cost_to_driver is {session.cost_to_driver}",
                )
            )
        if line is None:
            findings.append(_finding("only_in_usage", number, session, None, ""))
        elif line.total_cost_incl_tax != session.periods_amount:
            findings.append(
                _finding("amount_differs", number, session, line.total_cost_incl_tax, "")
            )
    for line in sorted(billed, key=lambda s: (s.stop_time is None, s.stop_time, s.uuid)):
        if line.uuid not in in_usage:
            findings.append(
                Finding(
                    "only_on_invoice",
                    number,
                    line.uuid,
                    line.stop_time,
                    None,
                    money(line.total_cost_incl_tax),
                    "not in the usage fetched for the period",
                )
            )
    return findings


def _finding(
    kind: str,
    number: str,
    session: UsageSession,
    invoice_amount: Decimal | None,
    detail: str,
) -> Finding:
    return Finding(
        kind,
        number,
        session.uuid,
        session.stop_date_time,
        money(session.periods_amount),
        None if invoice_amount is None else money(invoice_amount),
        detail,
    )


@dataclass(frozen=True)
class ReconcileRow:
    """One line of the reconciliation CSV: an invoice's check, or a session's finding."""

    record: str
    invoice_number: str
    invoice_date: date | None
    status: str
    result: str
    session_uuid: str
    stop_date_time: datetime | None
    usage_sessions: int | None
    usage_amount: Decimal | None
    charging_lines_amount: Decimal | None
    invoice_sessions: int | None
    invoice_amount: Decimal | None
    detail: str


def reconciliation_rows(report: Reconciliation) -> list[ReconcileRow]:
    """Each invoice's check followed by its findings; then findings without an invoice."""
    findings: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        findings[finding.invoice_number].append(finding)
    rows: list[ReconcileRow] = []
    for check in report.invoices:
        number = str(check.invoice_number)
        rows.append(
            ReconcileRow(
                "invoice",
                number,
                check.invoice_date,
                check.status,
                check.result,
                "",
                None,
                check.usage_sessions,
                check.usage_amount,
                check.charging_lines_amount,
                check.invoice_sessions,
                check.invoice_sessions_amount,
                "",
            )
        )
        rows += [_finding_row(finding) for finding in findings[number]]
    checked = {str(check.invoice_number) for check in report.invoices}
    rows += [_finding_row(f) for f in report.findings if f.invoice_number not in checked]
    return rows


def _finding_row(finding: Finding) -> ReconcileRow:
    return ReconcileRow(
        "session",
        finding.invoice_number,
        None,
        "",
        finding.finding,
        finding.session_uuid,
        finding.stop_date_time,
        None,
        finding.usage_amount,
        None,
        None,
        finding.invoice_amount,
        finding.detail,
    )
