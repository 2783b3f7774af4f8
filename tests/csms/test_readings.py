from datetime import UTC, datetime
from decimal import Decimal

import pytest

from fleetcharge.csms.clock import StationTime
from fleetcharge.csms.readings import normalise, parse_meter_values

T = datetime(2025, 3, 3, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "measurand", "unit", "value_format", "expected"),
    [
        ("12345", "Energy.Active.Import.Register", None, None, (Decimal("12.345"), "kWh")),
        ("12345", "Energy.Active.Import.Register", "Wh", None, (Decimal("12.345"), "kWh")),
        (" 12.5 ", "Energy.Active.Import.Register", "kWh", None, (Decimal("12.5"), "kWh")),
        ("1e3", "Energy.Active.Import.Register", "Wh", None, (Decimal("1"), "kWh")),
        ("7400", "Power.Active.Import", None, None, (Decimal("7.4"), "kW")),
        ("7.4", "Power.Active.Import", "kW", None, (Decimal("7.4"), "kW")),
        ("500", "Energy.Reactive.Import.Register", None, None, (Decimal("0.5"), "kvarh")),
        ("31.5", "Current.Import", None, None, (Decimal("31.5"), "A")),
        ("80", "SoC", None, None, (Decimal("80"), "Percent")),
        ("21", "Temperature", "Celcius", None, (Decimal("21"), "Celsius")),
        ("0.98", "Power.Factor", None, None, (Decimal("0.98"), None)),
        ("a1b2c3", "Energy.Active.Import.Register", "Wh", "SignedData", (None, "kWh")),
        ("n/a", "Energy.Active.Import.Register", "Wh", None, (None, "kWh")),
        ("NaN", "Energy.Active.Import.Register", "Wh", None, (None, "kWh")),
        ("1e30", "Energy.Active.Import.Register", "Wh", None, (None, "kWh")),
    ],
)
def test_values_are_normalised(
    raw: str,
    measurand: str,
    unit: str | None,
    value_format: str | None,
    expected: tuple[Decimal | None, str | None],
) -> None:
    assert normalise(raw, measurand, unit, value_format) == expected


def test_every_sampled_value_of_every_meter_value_is_read() -> None:
    meter_values = [
        {
            "timestamp": "t1",
            "sampled_value": [
                {"value": "1000"},
                {"value": "230.1", "measurand": "Voltage", "phase": "L1-N", "location": "Outlet"},
            ],
        },
        {
            "timestamp": "t2",
            "sampled_value": [{"value": "2", "unit": "kWh", "context": "Sample.Clock"}],
        },
    ]
    times = {"t1": StationTime(T, T), "t2": StationTime(T, T)}
    readings = parse_meter_values(meter_values, times.__getitem__)
    assert [(r.measurand, r.phase, r.location, r.value, r.normalised_unit) for r in readings] == [
        ("Energy.Active.Import.Register", None, None, Decimal("1.000"), "kWh"),
        ("Voltage", "L1-N", "Outlet", Decimal("230.1"), "V"),
        ("Energy.Active.Import.Register", None, None, Decimal("2"), "kWh"),
    ]
    assert (readings[2].context, readings[2].unit) == ("Sample.Clock", "kWh")
