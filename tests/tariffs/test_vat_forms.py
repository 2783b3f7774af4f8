"""Prices excluding VAT with a rate per component (OCPI's form) and GST-inclusive prices
(ours) describing the same prices load into the same tariff and price every session the
same, to the cent, including and excluding VAT."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from fleetcharge.pricing.engine import price
from fleetcharge.pricing.schemas import Timeline
from fleetcharge.tariffs.schemas import parse_tariff_document

KINDS = ("ENERGY", "TIME", "PARKING_TIME", "FLAT")
# Two-place prices and whole-percent rates: the VAT-inclusive price has at most four places,
# so our form can state it exactly.
prices = st.decimals(min_value=0, max_value=50, places=2)
rates = st.integers(min_value=0, max_value=25).map(Decimal)
components = st.lists(
    st.tuples(st.sampled_from(KINDS), prices, rates, st.sampled_from([1, 60, 300, 1000])),
    min_size=1,
    max_size=4,
    unique_by=lambda c: c[0],
)
cents = st.decimals(min_value=0, max_value=40, places=2)
limits = st.one_of(
    st.none(),
    st.tuples(cents, cents).map(lambda p: {"excl_vat": str(p[0]), "incl_vat": str(p[0] + p[1])}),
)


def documents(
    parts: list[tuple[str, Decimal, Decimal, int]],
    restricted: list[tuple[str, Decimal, Decimal, int]],
    low: Any,
    high: Any,
) -> tuple[dict[str, Any], dict[str, Any]]:
    def element(items: list[tuple[str, Decimal, Decimal, int]], incl: bool) -> dict[str, Any]:
        return {
            "price_components": [
                {
                    "type": kind,
                    "price": str(p * (1 + vat / 100)) if incl else str(p),
                    "vat": str(vat),
                    "step_size": step,
                }
                for kind, p, vat, step in items
            ]
        }

    out = []
    for incl in (False, True):
        doc: dict[str, Any] = {
            "name": "same prices",
            "currency": "EUR",
            "elements": [
                {**element(restricted, incl), "restrictions": {"start_time": "18:00"}},
                element(parts, incl),
            ],
        }
        if incl:
            doc["tax_rate"] = "0.10"  # every component names its own rate: unused
        else:
            doc["last_updated"] = "2026-01-01T00:00:00Z"
        for key, limit in (("min_price", low), ("max_price", high)):
            if limit is not None:
                doc[key] = limit
        out.append(doc)
    return out[0], out[1]


@settings(max_examples=25, deadline=None)
@given(
    parts=components,
    restricted=components,
    low=limits,
    high=limits,
    start_minute=st.integers(min_value=0, max_value=24 * 60),
    charging_s=st.integers(min_value=0, max_value=4 * 3600),
    parked_s=st.integers(min_value=0, max_value=2 * 3600),
    kwh=st.decimals(min_value=0, max_value=80, places=3),
)
def test_excl_and_incl_vat_documents_price_the_same(
    parts: list[tuple[str, Decimal, Decimal, int]],
    restricted: list[tuple[str, Decimal, Decimal, int]],
    low: Any,
    high: Any,
    start_minute: int,
    charging_s: int,
    parked_s: int,
    kwh: Decimal,
) -> None:
    if low is not None and high is not None:
        low, high = sorted((low, high), key=lambda limit: Decimal(limit["excl_vat"]))
        if Decimal(low["incl_vat"]) > Decimal(high["incl_vat"]):
            high = {**high, "incl_vat": low["incl_vat"]}
    excl_doc, incl_doc = documents(parts, restricted, low, high)
    excl, incl = parse_tariff_document(excl_doc).spec(), parse_tariff_document(incl_doc).spec()
    start = datetime(2026, 3, 2, tzinfo=UTC) + timedelta(minutes=start_minute)
    charging_end = start + timedelta(seconds=charging_s)
    timeline = Timeline(
        start, charging_end, charging_end + timedelta(seconds=parked_s),
        kwh if charging_s else Decimal(0),
    )  # fmt: skip
    a, b = price(excl, timeline), price(incl, timeline)
    assert (a.amount, a.gst, a.amount_excl_vat) == (b.amount, b.gst, b.amount_excl_vat)
    assert [(p.dimension, p.amount, p.gst) for p in a.periods] == [
        (p.dimension, p.amount, p.gst) for p in b.periods
    ]
