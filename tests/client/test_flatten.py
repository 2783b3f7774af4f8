"""Flattened CSV rows: fixed columns, plain numbers and ISO timestamps, one row per session
or per period, text safe to open in a spreadsheet, and a lossless round trip."""

import csv
import io
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from fleetcharge.client import Resource, SiteHostSession, UsageSession, Vehicle
from fleetcharge.client.flatten import columns, flatten, render, unguard
from tests.client import records as r


def as_dicts(resource: Resource, record: object, per_period: bool = False) -> list[dict]:
    names = columns(resource, per_period)
    return [dict(zip(names, row, strict=True)) for row in flatten(resource, record, per_period)]  # type: ignore[arg-type]


def test_a_usage_session_is_one_row_with_readable_cells() -> None:
    session = UsageSession.model_validate(
        r.usage("u1", amounts=(1.5, 1.06), invoice="2199185", kwh=1e-7)
    )
    (row,) = as_dicts(Resource.USAGE, session)
    assert row["uuid"] == "u1" and row["vin"] == "VIN-PRIME"
    assert row["stop_date_time"] == "2024-06-10T10:00:00+10:00"
    assert row["total_time_seconds"] == "1020"
    assert row["consumption_kwh"] == "0.0000001"  # never 1E-7
    assert (row["cost_to_driver"], row["currency"], row["invoice_number"]) == (
        "2.56",
        "AUD",
        "2199185",
    )
    assert row["contract_number"] == ""  # null
    assert row["charging_period_count"] == "2"
    assert row["gst_to_driver"] == "0.24"  # 0.14 + 0.10 on the two periods
    assert row["tariff_name"] == ""  # a Fleets API does not send it


def test_gst_is_the_periods_and_a_tariff_name_is_kept_when_sent() -> None:
    raw = {**r.usage("u1", amounts=(11.0, 2.2, 0.05)), "tariff_name": "Depot AC"}
    (row,) = as_dicts(Resource.USAGE, UsageSession.model_validate(raw))
    assert (row["gst_to_driver"], row["tariff_name"]) == ("1.20", "Depot AC")
    no_periods = {**r.usage("u2"), "charging_periods": []}
    (row,) = as_dicts(Resource.USAGE, UsageSession.model_validate(no_periods))
    assert row["gst_to_driver"] == ""


def test_per_period_rows_repeat_the_session_and_keep_sessions_without_periods() -> None:
    session = UsageSession.model_validate(r.usage("u1", amounts=(1.5, 1.06)))
    rows = as_dicts(Resource.USAGE, session, per_period=True)
    assert [(x["uuid"], x["period_index"], x["period_amount"]) for x in rows] == [
        ("u1", "1", "1.5"),
        ("u1", "2", "1.06"),
    ]
    assert rows[0]["period_duration_seconds"] == "1020"
    bare = SiteHostSession.model_validate(r.site_host("h1", stop="2024-06-10T10:00:00+08:00"))
    (row,) = as_dicts(Resource.SESSIONS, bare, per_period=True)
    assert row["uuid"] == "h1" and row["period_index"] == "" and row["period_amount"] == ""


def test_both_spellings_of_the_site_host_fill_one_column() -> None:
    for key in ("suboperator", "sub_operator"):
        record = r.site_host("h1", stop="2024-06-10T10:00:00+08:00", host_key=key)
        (row,) = as_dicts(Resource.SESSIONS, SiteHostSession.model_validate(record))
        assert (row["operator_name"], row["sub_operator_name"]) == ("Network", "Cybertron")


def test_vehicle_id_tags_share_one_cell() -> None:
    vehicle = Vehicle.model_validate(r.vehicle("v1", "VIN1", ("OPTIMUS", "PRIME")))
    (row,) = as_dicts(Resource.VEHICLES, vehicle)
    assert (row["id_tags"], row["card_count"], row["effective_to"]) == ("OPTIMUS; PRIME", "2", "")


def test_column_order_is_fixed() -> None:
    assert columns(Resource.USAGE)[:3] == ["uuid", "auth_id", "vin"]
    assert columns(Resource.USAGE, per_period=True)[-8:] == [
        "period_index",
        "period_start_date_time",
        "period_duration_seconds",
        "period_consumption_kwh",
        "period_tariff",
        "period_gst",
        "period_amount",
        "period_currency",
    ]
    assert "sub_operator_name" in columns(Resource.SESSIONS)


def test_text_a_spreadsheet_would_evaluate_is_guarded() -> None:
    assert render('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert render("-5 Main St") == "'-5 Main St" and render("'quoted") == "''quoted"
    assert render(Decimal("-1.50")) == "-1.50"  # numbers are never touched
    assert unguard(render("@SUM(A1)")) == "@SUM(A1)"


text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
money = st.decimals(min_value=-1000, max_value=1000, places=2)
offsets = st.integers(-12 * 4, 14 * 4).map(lambda q: timezone(timedelta(minutes=15 * q)))


@given(
    name=text,
    address=text,
    auth_id=text.filter(bool),
    amounts=st.lists(money, max_size=4),
    kwh=st.decimals(min_value=0, max_value=500, places=3),
    stop=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=offsets
    ),
    invoice=st.none() | st.integers(1, 10**9).map(str),
)
def test_csv_round_trips(
    name: str,
    address: str,
    auth_id: str,
    amounts: list[Decimal],
    kwh: Decimal,
    stop: datetime,
    invoice: str | None,
) -> None:
    raw = r.usage("u1", invoice=invoice)
    raw.update(auth_id=auth_id, consumption=str(kwh), stop_date_time=stop.isoformat())
    raw["location"].update(name=name, address=address)
    raw["charging_periods"] = [r.period(float(a), stop.isoformat()) for a in amounts]
    for period, amount in zip(raw["charging_periods"], amounts, strict=True):
        period["amount"] = str(amount)
    session = UsageSession.model_validate(raw)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        [columns(Resource.USAGE, True), *flatten(Resource.USAGE, session, True)]
    )
    back = list(csv.DictReader(io.StringIO(buffer.getvalue(), newline="")))
    assert len(back) == max(1, len(amounts))
    for row in back:
        assert unguard(row["location_name"]) == name
        assert unguard(row["location_address"]) == address
        assert unguard(row["auth_id"]) == auth_id
        assert Decimal(row["consumption_kwh"]) == kwh
        assert datetime.fromisoformat(row["stop_date_time"]) == stop
        assert datetime.fromisoformat(row["stop_date_time"]).utcoffset() == stop.utcoffset()
        assert row["invoice_number"] == (invoice or "")
    assert [Decimal(row["period_amount"]) for row in back if row["period_index"]] == amounts
