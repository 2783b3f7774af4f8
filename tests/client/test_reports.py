"""The three reports on the crafted data set (tests/client/crafted.py), against values
computed by hand. Expected rows are written as comma-separated text; numbers compare as
Decimals (so 7.7 equals 7.70)."""

import re
from datetime import date
from decimal import Decimal
from typing import Any

from fleetcharge.client import Invoice, SiteHostSession, UsageSession, Vehicle
from fleetcharge.client.reports import reconcile, site_host_revenue, vehicle_audit
from fleetcharge.client.reports.reconcile import reconciliation_rows
from fleetcharge.client.reports.site_host_revenue import totals
from tests.client import crafted

_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _cell(text: str) -> Any:
    return Decimal(text) if _NUMBER.fullmatch(text) else text


def values(row: Any, names: str) -> list[Any]:
    """The named fields of a report row: numbers as Decimal, None as "", the rest as text."""
    picked = [getattr(row, name.strip()) for name in names.split(",")]
    return [_cell("" if value is None else str(value)) for value in picked]


def expected(line: str) -> list[Any]:
    return [_cell(cell.strip()) for cell in line.split(",")]


def test_reconcile() -> None:
    report = reconcile(
        [UsageSession.model_validate(s) for s in crafted.RECONCILE_USAGE],
        [Invoice.model_validate(i) for i in crafted.RECONCILE_INVOICES],
        date(2024, 6, 1),
        date(2024, 6, 30),
    )
    fields = (
        "invoice_number, usage_sessions, usage_amount, charging_lines_amount, invoice_sessions,"
        "invoice_sessions_amount, only_in_usage, only_on_invoice, result"
    )
    assert [values(check, fields) for check in report.invoices] == [
        # usage a 2.56 + b 4.90 + c 1.00 | the charging line | billed a 2.56 + b 5.00 + d 2.44
        expected("501, 3, 8.46, 10.00, 3, 10.00, 1, 1, mismatch"),
        expected("502, 1, 2.00, 2.00, 1, 2.00, 0, 0, ok"),
    ]
    assert report.skipped == [503, 504]
    fields = "finding, invoice_number, session_uuid, usage_amount, invoice_amount"
    assert [values(finding, fields) for finding in report.findings] == [
        expected("amount_differs, 501, b, 4.90, 5.00"),
        expected("periods_differ_from_cost, 501, c, 1.00, 1.10"),
        expected("only_in_usage, 501, c, 1.00, "),
        expected("only_on_invoice, 501, d, , 2.44"),
        expected("not_invoiced, , e, 3.00, "),  # f completed before the period
        expected("invoice_not_listed, 777, g, 1.25, "),
    ]
    rows = reconciliation_rows(report)
    assert [values(row, "record, invoice_number, result") for row in rows] == [
        expected("invoice, 501, mismatch"),
        expected("session, 501, amount_differs"),
        expected("session, 501, periods_differ_from_cost"),
        expected("session, 501, only_in_usage"),
        expected("session, 501, only_on_invoice"),
        expected("invoice, 502, ok"),
        expected("session, , not_invoiced"),
        expected("session, 777, invoice_not_listed"),
    ]


REVENUE_FIELDS = (
    "local_date, evse_id, connector_id, sessions, energy_kwh, revenue, cost, margin,"
    "margin_ex_gst, gst_collected, gst_paid, charging_time_seconds, parking_time_seconds"
)


def test_site_host_revenue_per_connector_and_local_day() -> None:
    rows = site_host_revenue(SiteHostSession.model_validate(s) for s in crafted.REVENUE_SESSIONS)
    assert [values(row, REVENUE_FIELDS) for row in rows] == [
        # h1 + h2: margin 7.70 - 2.58; ex GST (7.70 - 0.70) - (2.58 - 0.24); 3000 + 1800 s
        expected("2024-06-10, EVSE-1, 1, 2, 14.75, 7.70, 2.58, 5.12, 4.66, 0.70, 0.24, 4800, 600"),
        expected("2024-06-10, EVSE-1, 2, 1, 1, 0, 0.18, -0.18, -0.16, 0, 0.02, 600, 0"),
        expected("2024-06-11, EVSE-1, 1, 1, 2, 1.10, 0.35, 0.75, 0.68, 0.10, 0.03, 600, 300"),
        # h4 completed 16:30 UTC on the 10th: the 11th in Perth.
        expected("2024-06-11, EVSE-9, 1, 1, 20, 11, 3.50, 7.50, 6.82, 1, 0.32, 5400, 1800"),
    ]  # fmt: skip
    assert [values(total, REVENUE_FIELDS) for total in totals(rows)] == [
        expected(", , , 5, 37.75, 19.80, 6.61, 13.19, 12.00, 1.80, 0.61, 11400, 2700")
    ]


def test_vehicle_audit_joined_by_vin() -> None:
    rows = vehicle_audit(
        [Vehicle.model_validate(v) for v in crafted.AUDIT_VEHICLES],
        [UsageSession.model_validate(s) for s in crafted.AUDIT_USAGE],
        as_of=date(2024, 6, 30),
    )
    fields = "finding, vin, id_tag, status, sessions, energy_kwh, cost"
    assert [values(row, fields) for row in rows] == [
        expected("active_vehicle, VIN-BEE, , active, 1, 2, 1.00"),
        expected("active_vehicle, VIN-NEW, , active, 0, 0, 0"),
        expected("active_vehicle, VIN-PRIME, , active, 2, 18.539, 5.56"),
        # u5 on VIN-OLD after its retirement still counts against it...
        expected("retired_vehicle, VIN-OLD, , retired, 1, 3, 1.50"),
        # ...while VIN-PRIME's 2024 sessions go to its current registration.
        expected("retired_vehicle, VIN-PRIME, , retired, 0, 0, 0"),
        expected("future_vehicle, VIN-FUT, , future, 0, 0, 0"),
        expected("cardless_vehicle, VIN-NEW, , active, 0, 0, 0"),
        expected("card_never_charged, VIN-BEE, BUMBLEBEE, active, 0, 0, 0"),
        expected("card_never_charged, VIN-PRIME, PRIME, active, 0, 0, 0"),
        expected("unregistered_auth_id, , JAZZ, , 1, 2, 1.00"),
        expected("unregistered_auth_id, , RATCHET, , 1, 3, 1.50"),
        expected("active_vehicle_without_sessions, VIN-NEW, , active, 0, 0, 0"),
        expected("unregistered_vin, VIN-GHOST, , , 1, 5, 4.00"),
        expected("charged_outside_registration, VIN-OLD, RATCHET, retired, 1, 3, 1.50"),
    ]
    jazz = next(row for row in rows if row.id_tag == "JAZZ")
    assert jazz.detail == "sessions attributed to VIN VIN-BEE"
    assert str(jazz.last_session) == "2024-06-15 10:00:00+10:00"
