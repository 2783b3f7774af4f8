"""The MeterValue objects a simulated station sends: periodic samples and register readings."""

import math
from collections.abc import Sequence

from ocpp.v16.datatypes import MeterValue, SampledValue
from ocpp.v16.enums import Location, Measurand, ReadingContext, UnitOfMeasure

from fleetcharge.simulator.curves import MeterSample


def sampled_meter_value(
    timestamp: str,
    measurands: Sequence[Measurand],
    register_wh: int,
    sample: MeterSample,
    context: ReadingContext,
) -> MeterValue:
    """One MeterValue with a sampled value per measurand; `register_wh` is the energy register."""
    values: list[SampledValue] = []
    for measurand in measurands:
        if measurand == Measurand.energy_active_import_register:
            value, unit = str(register_wh), UnitOfMeasure.wh
        elif measurand == Measurand.power_active_import:
            value, unit = f"{sample.power_w:.1f}", UnitOfMeasure.w
        elif measurand == Measurand.current_import:
            value, unit = f"{sample.current_a:.2f}", UnitOfMeasure.a
        else:  # SoC, floored so that it never shows more than the target
            value, unit = f"{math.floor(sample.soc * 10) / 10:.1f}", UnitOfMeasure.percent
        location = Location.ev if measurand == Measurand.soc else Location.outlet
        values.append(
            SampledValue(
                value=value, context=context, measurand=measurand, location=location, unit=unit
            )
        )
    return MeterValue(timestamp=timestamp, sampled_value=values)


def register_meter_value(timestamp: str, wh: int, context: ReadingContext) -> MeterValue:
    value = SampledValue(
        value=str(wh),
        context=context,
        measurand=Measurand.energy_active_import_register,
        location=Location.outlet,
        unit=UnitOfMeasure.wh,
    )
    return MeterValue(timestamp=timestamp, sampled_value=[value])
