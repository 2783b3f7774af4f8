"""`fleetcharge report reconcile|site-host-revenue|vehicle-audit`: a CSV and a table each.

Fetching is here; every figure is computed by the pure functions of
`fleetcharge.client.reports`.
"""

import csv
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

from fleetcharge.cli.common import console, err_console, fail, output_file, print_table
from fleetcharge.cli.remote import (
    BaseUrl,
    Token,
    WaitNotices,
    api_errors,
    connect,
    fetch_all,
    load_config,
    new_progress,
    parse_period,
    resolve_base_url,
    resolve_token,
)
from fleetcharge.client import FleetsClient
from fleetcharge.client.flatten import render
from fleetcharge.client.reports import Table, table_of
from fleetcharge.client.reports.reconcile import ReconcileRow, reconcile, reconciliation_rows
from fleetcharge.client.reports.site_host_revenue import RevenueRow, site_host_revenue, totals
from fleetcharge.client.reports.vehicle_audit import AuditRow, vehicle_audit

app = typer.Typer(help="Fleet reports from any Fleets API v1 server.", no_args_is_help=True)

From = Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD, inclusive).")]
To = Annotated[str, typer.Option("--to", help="Last day (YYYY-MM-DD, inclusive).")]
Output = Annotated[
    Path | None,
    typer.Option("-o", "--output", help="CSV file (default: REPORT-FROM-TO.csv here)."),
]
# Beyond this many rows the terminal shows the first ones and points to the CSV.
SHOWN_ROWS = 200


class _Run:
    """One report run: the resolved token, a client, progress and error handling."""

    def __init__(
        self,
        report: str,
        output: Path | None,
        base_url: str | None,
        token: str | None,
        date_from: str,
        date_to: str,
    ):
        config = load_config()
        self.token = resolve_token(token, config)
        low, high = parse_period(date_from, date_to)
        assert low is not None and high is not None  # both options are required
        self.date_from, self.date_to = low, high
        # Refused now, not after fetching everything.
        self.path = output_file(output or Path(f"{report}-{low}-{high}.csv"), "--output")
        self.progress = new_progress()
        self.notices = WaitNotices(self.progress)
        self.client: FleetsClient = connect(
            resolve_base_url(base_url, config), self.token, self.notices
        )


def _write_csv(path: Path, table: Table) -> None:
    try:
        with path.open("w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(table.columns)
            writer.writerows(table.rows)
    except OSError as error:
        raise fail(f"cannot write {path}: {error.strerror}", 1) from None
    err_console.print(f"Wrote {len(table.rows)} rows to {path}.")


def _show(title: str, table: Table, right: Sequence[str] = ()) -> None:
    shown = RichTable(title=title)
    for name in table.columns:
        shown.add_column(name, justify="right" if name in right else "left")
    for row in table.rows[:SHOWN_ROWS]:
        shown.add_row(*row)
    print_table(shown)
    if len(table.rows) > SHOWN_ROWS:
        console.print(f"… {len(table.rows) - SHOWN_ROWS} more rows in the CSV.")


def _hours(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}"


@app.command("reconcile")
def reconcile_command(
    date_from: From,
    date_to: To,
    base_url: BaseUrl = None,
    token: Token = None,
    output: Output = None,
) -> None:
    """Invoices dated in the period against the usage sessions carrying their numbers."""
    run = _Run("reconcile", output, base_url, token, date_from, date_to)
    with api_errors(run.token), run.client, run.progress:
        invoices = fetch_all(
            run.client.invoices(run.date_from, run.date_to), run.progress, run.notices, "invoices"
        )
        # Invoices also bill sessions that arrived late from earlier days: fetch those too.
        stops = [s.stop_time.date() for i in invoices for s in i.charge_sessions if s.stop_time]
        usage_from = min([run.date_from, *stops])
        usage = fetch_all(
            run.client.usage(usage_from, run.date_to), run.progress, run.notices, "usage"
        )
    report = reconcile(usage, invoices, run.date_from, run.date_to)
    table = table_of(ReconcileRow, reconciliation_rows(report))
    _write_csv(run.path, table)
    invoice_rows = Table(table.columns, [r for r in table.rows if r[0] == "invoice"])
    invoice_rows = _drop(invoice_rows, "record", "session_uuid", "stop_date_time", "detail")
    _show("Invoices", invoice_rows, right=invoice_rows.columns[4:])
    differences = [r for r in table.rows if r[0] == "session" and r[4] != "not_invoiced"]
    if differences:
        columns = ("record", "invoice_date", "status", "usage_sessions", "charging_lines_amount")
        _show("Differences", _drop(Table(table.columns, differences), *columns, "invoice_sessions"))
    counts = Counter(f.finding for f in report.findings)
    if counts:
        summary = Table(["finding", "sessions"], [[k, str(n)] for k, n in sorted(counts.items())])
        _show("Findings", summary, right=["sessions"])
    if report.skipped:
        numbers = ", ".join(str(n) for n in report.skipped)
        console.print(f"Not reconciled (void, or not a fleet invoice): {numbers}")
    mismatched = len(report.mismatches)
    console.print(
        f"{len(report.invoices)} invoices reconciled, {mismatched} with differences; "
        f"{counts['not_invoiced']} sessions not invoiced yet."
    )


def _drop(table: Table, *names: str) -> Table:
    keep = [i for i, name in enumerate(table.columns) if name not in names]
    return Table([table.columns[i] for i in keep], [[row[i] for i in keep] for row in table.rows])


@app.command("site-host-revenue")
def site_host_revenue_command(
    date_from: From,
    date_to: To,
    base_url: BaseUrl = None,
    token: Token = None,
    output: Output = None,
) -> None:
    """Energy, revenue, cost, margin, GST and time per location, EVSE, connector and local day."""
    run = _Run("site-host-revenue", output, base_url, token, date_from, date_to)
    with api_errors(run.token), run.client, run.progress:
        sessions = fetch_all(
            run.client.sessions(run.date_from, run.date_to), run.progress, run.notices, "sessions"
        )
    rows = site_host_revenue(sessions)
    _write_csv(run.path, table_of(RevenueRow, rows))
    table = _revenue_table([*rows, *totals(rows)])
    _show(f"Site-host revenue {run.date_from} to {run.date_to}", table, right=table.columns[4:])


REVENUE_COLUMNS = ["day", "location", "evse", "connector", "sessions", "kWh", "revenue"]
REVENUE_COLUMNS += ["cost", "margin", "GST collected", "GST paid", "charging", "parking"]


def _revenue_table(rows: list[RevenueRow]) -> Table:
    """The revenue rows for reading: fewer columns, times as h:mm."""
    return Table(
        REVENUE_COLUMNS,
        [
            [
                render(r.local_date),
                r.location,
                r.evse_id,
                r.connector,
                *(render(v) for v in (r.sessions, r.energy_kwh, r.revenue, r.cost, r.margin)),
                render(r.gst_collected),
                render(r.gst_paid),
                _hours(r.charging_time_seconds),
                _hours(r.parking_time_seconds),
            ]
            for r in rows
        ],
    )


@app.command("vehicle-audit")
def vehicle_audit_command(
    date_from: From,
    date_to: To,
    base_url: BaseUrl = None,
    token: Token = None,
    output: Output = None,
) -> None:
    """The vehicle register against the period's sessions: who charged, who did not."""
    run = _Run("vehicle-audit", output, base_url, token, date_from, date_to)
    with api_errors(run.token), run.client, run.progress:
        vehicles = fetch_all(run.client.vehicles(), run.progress, run.notices, "vehicles")
        usage = fetch_all(
            run.client.usage(run.date_from, run.date_to), run.progress, run.notices, "usage"
        )
    rows = vehicle_audit(vehicles, usage, as_of=run.date_to)
    table = table_of(AuditRow, rows)
    _write_csv(run.path, table)
    counts = Counter(row.finding for row in rows)
    _show(
        f"Vehicle audit {run.date_from} to {run.date_to}",
        Table(["finding", "rows"], [[k, str(n)] for k, n in counts.items()]),
        right=["rows"],
    )
    register = {"active_vehicle", "retired_vehicle", "future_vehicle"}
    exceptions = Table(table.columns, [r for r in table.rows if r[0] not in register])
    _show(
        "Exceptions",
        _drop(exceptions, "effective_from", "effective_to", "registration_number"),
        right=["sessions", "energy_kwh", "cost"],
    )
