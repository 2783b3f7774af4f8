"""The operator's accounting export: every organisation's documents and payments read from
fleetcharge's database, as fleetcharge's CSV or as Xero's or MYOB's import files."""

import csv
import io
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from fleetcharge.billing.accounting_formats import (
    Format,
    coding,
    csv_rows,
    myob_payment_rows,
    myob_rows,
    payment_csv_rows,
    xero_payment_rows,
    xero_rows,
)
from fleetcharge.billing.ledger import Group, LedgerDocument, ledger_documents, ledger_payments
from fleetcharge.billing.period import Period
from fleetcharge.cli.common import command_session, err_console, fail, output_file
from fleetcharge.errors import InvalidParameter
from fleetcharge.settings import get_settings

ACCOUNTING_FORMATS = tuple(Format)
GROUPS = tuple(Group)


def accounting_format(option: str | None) -> Format:
    if option is None:
        return Format.CSV
    try:
        return Format(option)
    except ValueError:
        raise fail(
            f"--format must be one of {', '.join(ACCOUNTING_FORMATS)} for the accounting"
            f" export, got {option!r}"
        ) from None


def _period(text: str | None) -> Period | None:
    if text is None:
        return None
    try:
        return Period.parse(text)
    except InvalidParameter as error:
        raise fail(f"--period: {error.message}") from None


def _groups(option: str | None, fmt: Format) -> list[Group]:
    if option is None:
        return list(GROUPS) if fmt is Format.CSV else [Group.INVOICES]
    try:
        return [Group(option)]
    except ValueError:
        raise fail(f"--documents must be one of {', '.join(GROUPS)}, got {option!r}") from None


def export_invoices(
    fmt: Format,
    period: str | None,
    issued_from: date | None,
    issued_to: date | None,
    documents: str | None,
    output: Path | None,
    bom: bool,
    database_url: str | None,
) -> None:
    month = _period(period)
    if month is not None and (issued_from or issued_to):
        raise fail("give --period or --from/--to, not both")
    groups = _groups(documents, fmt)
    target = _target(output)
    with command_session(database_url) as db:
        found = ledger_documents(db, issued_in=month, issued_from=issued_from, issued_to=issued_to)
    if fmt is Format.CSV:
        rows: Iterable[Sequence[str]] = csv_rows(found, groups)
    else:
        codes = coding(get_settings(), fmt)
        render = xero_rows if fmt is Format.XERO else myob_rows
        rows = render(found, groups[0], codes)
    written = _write(rows, target, bom)
    exported = [d for d in found if d.group in groups and (fmt is Format.CSV or not d.void)]
    where = str(target) if target else "standard output"
    err_console.print(
        f"Exported {len(exported)} documents ({written} rows) to {where}.", soft_wrap=True
    )
    if fmt is not Format.CSV:
        _notes(found, groups[0])


def _notes(documents: Sequence[LedgerDocument], group: Group) -> None:
    void = sum(1 for d in documents if d.group is group and d.void)
    if void:
        err_console.print(
            f"{void} void documents left out (if imported before, void them there too).",
            soft_wrap=True,
        )
    others = Counter(d.group for d in documents if d.group is not group and not d.void)
    for other, count in sorted(others.items()):
        err_console.print(
            f"{count} {other.value} not in this file: export them with --documents {other.value}.",
            soft_wrap=True,
        )


def export_payments(
    fmt: Format,
    period: str | None,
    paid_from: date | None,
    paid_to: date | None,
    output: Path | None,
    bom: bool,
    database_url: str | None,
) -> None:
    month = _period(period)
    if month is not None and (paid_from or paid_to):
        raise fail("give --period or --from/--to, not both")
    target = _target(output)
    with command_session(database_url) as db:
        found = ledger_payments(db, paid_in=month, paid_from=paid_from, paid_to=paid_to)
    if fmt is Format.CSV:
        rows: Iterable[Sequence[str]] = payment_csv_rows(found)
    elif fmt is Format.XERO:
        rows = xero_payment_rows(found)
    else:
        rows = myob_payment_rows(found, coding(get_settings(), fmt))
    written = _write(rows, target, bom)
    where = str(target) if target else "standard output"
    err_console.print(f"Exported {written} payments to {where}.", soft_wrap=True)
    skipped = sum(1 for p in found if not p.received)
    if fmt is Format.MYOB and skipped:
        err_console.print(
            f"{skipped} payments made (refunds, RCTIs) are not customer receipts and not in"
            " this file: record them in MYOB as supplier payments or refunds.",
            soft_wrap=True,
        )


def _target(output: Path | None) -> Path | None:
    if output is None or str(output) == "-":
        return None
    return output_file(output, "--output")


def _write(rows: Iterable[Sequence[str]], target: Path | None, bom: bool) -> int:
    """Writes the CSV (RFC 4180, CRLF); returns the number of rows after the header."""
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer)
    count = -1
    for row in rows:
        writer.writerow(row)
        count += 1 if row else 0
    data = buffer.getvalue().encode()
    try:
        if target is None:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            target.write_bytes(data)
    except OSError as error:
        raise fail(
            f"cannot write {target or 'standard output'}: {error.strerror or error}", 1
        ) from None
    return max(count, 0)
