"""Tariff documents: what validates, what the engine gets, and errors that name the field."""

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetcharge.pricing.schemas import TariffSpec
from fleetcharge.tariffs.schemas import TariffDocumentError, parse_tariff_document

TIME_OF_USE: dict[str, Any] = {
    "name": "Time of use",
    "id": "TOU-1",
    "country_code": "AU",
    "party_id": "FCN",
    "parking_grace_minutes": 10,
    "min_price": {"excl_vat": 0.91, "incl_vat": 1.00},
    "max_price": 80,
    "elements": [
        {
            "price_components": [{"type": "ENERGY", "price": 0.65, "vat": 10.0, "step_size": 1}],
            "restrictions": {
                "start_time": "16:00",
                "end_time": "21:00",
                "day_of_week": ["MONDAY", "FRIDAY"],
            },
        },
        {
            "price_components": [
                {"type": "ENERGY", "price": "0.45"},
                {"type": "PARKING_TIME", "price": 24, "step_size": 60},
            ]
        },
    ],
}


def problems(document: Any) -> list[str]:
    with pytest.raises(TariffDocumentError) as caught:
        parse_tariff_document(document)
    return caught.value.problems


def test_an_ocpi_style_document_becomes_an_exact_engine_tariff() -> None:
    spec = parse_tariff_document(TIME_OF_USE).spec()
    assert spec.currency == "AUD" and spec.tax_rate == Decimal("0.10")
    assert (spec.min_price, spec.max_price) == (Decimal("1.00"), Decimal("80"))
    assert spec.parking_grace_minutes == 10
    first, second = spec.elements
    assert first.price_components[0].price == Decimal("0.65")  # never float noise
    assert first.restrictions is not None and first.restrictions.day_of_week == {0, 4}
    assert [c.type for c in second.price_components] == ["ENERGY", "PARKING_TIME"]
    assert second.price_components[1].step_size == 60
    # Stored and read back through the snapshot form, nothing changes.
    assert TariffSpec.from_snapshot(spec.snapshot()) == spec


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"name": ""}, "name: String should have at least 1 character"),
        ({"currency": "aud"}, "currency: String should match pattern"),
        ({"tax_rate": "ten"}, "tax_rate: must be a number, got 'ten'"),
        ({"tax_rate": 1.5}, "tax_rate: Input should be less than 1"),
        ({"colour": "red"}, "colour: is not a tariff field"),
        ({"elements": []}, "elements: List should have at least 1 item"),
        ({"parking_grace_minutes": 2.5}, "parking_grace_minutes: Input should be a valid integer"),
        ({"min_price": 90}, "min_price: 90.00 exceeds max_price 80.00"),
        ({"max_price": -1}, "max_price: must not be negative, got -1"),
        ({"max_price": 1.005}, "max_price: must be whole cents, got 1.005"),
    ],
)
def test_top_level_mistakes_are_named(change: dict[str, Any], expected: str) -> None:
    found = problems({**TIME_OF_USE, **change})
    assert any(p.startswith(expected) for p in found), found


def _element_with(**fields: Any) -> dict[str, Any]:
    component = {"type": "ENERGY", "price": 0.3}
    restrictions = fields.pop("restrictions", None)
    component.update(fields)
    element: dict[str, Any] = {"price_components": [component]}
    if restrictions is not None:
        element["restrictions"] = restrictions
    return {
        "name": "x",
        "elements": [{"price_components": [{"type": "FLAT", "price": 1}]}, element],
    }


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (_element_with(type="KWH"), "elements[1].price_components[0].type: Input should be"),
        (_element_with(price=-0.1), "elements[1].price_components[0].price: Input should be "
         "greater than or equal to 0"),
        (_element_with(price=0.123456), "elements[1].price_components[0].price: must have at "
         "most 4 decimal places"),
        (_element_with(price=True), "elements[1].price_components[0].price: must be a number"),
        (_element_with(step_size=-1), "elements[1].price_components[0].step_size: Input should "
         "be greater than or equal to 0"),
        (_element_with(vat=101), "elements[1].price_components[0].vat: Input should be less "
         "than or equal to 100"),
        (_element_with(restrictions={"start_time": "24:00"}),
         "elements[1].restrictions.start_time: must be a local time HH:MM"),
        (_element_with(restrictions={"start_time": "9:00"}),
         "elements[1].restrictions.start_time: must be a local time HH:MM"),
        (_element_with(restrictions={"start_time": "09:00", "end_time": "09:00"}),
         "elements[1].restrictions: start_time equals end_time"),
        (_element_with(restrictions={"day_of_week": ["MON"]}),
         "elements[1].restrictions.day_of_week[0]: must be one of MONDAY"),
        (_element_with(restrictions={"day_of_week": ["MONDAY", "MONDAY"]}),
         "elements[1].restrictions.day_of_week: lists a day more than once"),
        (_element_with(restrictions={"min_kwh": 10, "max_kwh": 5}),
         "elements[1].restrictions: min_kwh (10) must be below max_kwh (5)"),
        (_element_with(restrictions={"start_date": "2026-02-30"}),
         "elements[1].restrictions.start_date: Input should be a valid date"),
        (_element_with(restrictions={"max_duration": -60}),
         "elements[1].restrictions.max_duration: Input should be greater than or equal to 0"),
        (_element_with(restrictions={"max_speed": 3}),
         "elements[1].restrictions.max_speed: is not a tariff field"),
        ({"name": "x", "elements": [{"price_components": []}]},
         "elements[0].price_components: List should have at least 1 item"),
        ([1, 2], "(document): must be a JSON object"),
    ],
)  # fmt: skip
def test_element_mistakes_name_the_path(document: Any, expected: str) -> None:
    found = problems(document)
    assert any(p.startswith(expected) for p in found), found


def test_every_problem_is_reported_at_once() -> None:
    found = problems({"currency": "A", "elements": [{"price_components": [{"type": "X"}]}]})
    assert [p.split(":")[0] for p in found] == [
        "name",
        "currency",
        "elements[0].price_components[0].type",
        "elements[0].price_components[0].price",
    ]


@given(
    price=st.decimals(min_value=0, max_value=100, places=4),
    step=st.integers(min_value=1, max_value=3600),
)
def test_valid_prices_round_trip_exactly(price: Decimal, step: int) -> None:
    document = {
        "name": "p",
        "elements": [
            {"price_components": [{"type": "TIME", "price": str(price), "step_size": step}]}
        ],
    }
    component = parse_tariff_document(document).spec().elements[0].price_components[0]
    assert (component.price, component.step_size) == (price, step)


def test_the_documented_example_is_a_valid_tariff() -> None:
    path = Path(__file__).parents[2] / "docs" / "examples" / "tariff-time-of-use.json"
    spec = parse_tariff_document(json.loads(path.read_text())).spec()
    assert len(spec.elements) == 3 and spec.max_price == Decimal("100.00")


def _component(**fields: Any) -> dict[str, Any]:
    return {"name": "p", "elements": [{"price_components": [{"type": "ENERGY", **fields}]}]}


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (_component(price=1e300), "elements[0].price_components[0].price: Input should be less"),
        (_component(price=float("nan")), "elements[0].price_components[0].price: must be a finite"),
        (_component(price=float("inf")), "elements[0].price_components[0].price: must be a finite"),
        (_component(price=1, step_size=10**30), "elements[0].price_components[0].step_size:"),
        (_component(price=1, step_size=2_000_000), "elements[0].price_components[0].step_size:"),
        ({**_component(price=1), "max_price": 1e30}, "max_price: must be at most 1000000"),
        ({**_component(price=1), "min_price": {"incl_vat": 1e30}}, "min_price.incl_vat:"),
        (_element_with(restrictions={"max_kwh": 1e20}), "elements[1].restrictions.max_kwh:"),
        (_element_with(restrictions={"max_duration": 10**12}), "elements[1].restrictions.max_dur"),
    ],
)  # fmt: skip
def test_out_of_bounds_numbers_are_refused_with_their_path(document: Any, expected: str) -> None:
    found = problems(document)
    assert any(p.startswith(expected) for p in found), found


@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.text()))
def test_any_price_validates_within_bounds_or_is_a_named_problem(price: object) -> None:
    try:
        document = parse_tariff_document(_component(price=price))
    except TariffDocumentError as error:
        assert all(p.startswith("elements[0].price_components[0].price") for p in error.problems)
        return
    component = document.spec().elements[0].price_components[0]
    assert component.price.is_finite() and 0 <= component.price <= 10_000
