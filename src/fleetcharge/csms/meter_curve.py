"""A recorded session's power and energy curve from the meter values its station sent
during the OCPP transaction that became it (the console's session page).

Energy is the import register less its reading at the start (`meterStart`); power is the
active import power. A value sampled per phase (and none for the whole) is summed over the
phases. Callers check the session is the viewer's (`charging.detail`) first.
"""

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.charging.detail import CurvePoint
from fleetcharge.csms.readings import ENERGY_REGISTER, POWER_IMPORT
from fleetcharge.models import OcppMeterValue, OcppTransaction

KWH = Decimal("0.001")
KW = Decimal("0.001")


def meter_curve(db: Session, session_id: int) -> list[CurvePoint]:
    """The curve's points in time order; empty when the station sent no usable values."""
    transaction = db.execute(
        select(OcppTransaction.id, OcppTransaction.meter_start_wh).where(
            OcppTransaction.session_id == session_id
        )
    ).first()
    if transaction is None:
        return []
    transaction_id, meter_start_wh = transaction
    readings = db.execute(
        select(
            OcppMeterValue.sampled_at,
            OcppMeterValue.measurand,
            OcppMeterValue.phase,
            OcppMeterValue.value,
        )
        .where(
            OcppMeterValue.transaction_id == transaction_id,
            OcppMeterValue.measurand.in_((ENERGY_REGISTER, POWER_IMPORT)),
            OcppMeterValue.value.is_not(None),
        )
        .order_by(OcppMeterValue.sampled_at, OcppMeterValue.id)
    )
    # (time, measurand) -> whole-meter value, and per-phase values.
    whole: dict[tuple[datetime, str], Decimal] = {}
    phases: dict[tuple[datetime, str], Decimal] = defaultdict(Decimal)
    for at, measurand, phase, value in readings:
        if value is None:  # excluded by the query; for the type checker
            continue
        if phase is None:
            whole[at, measurand] = value
        elif not phase.startswith("N"):  # neutral readings are not part of the sum
            phases[at, measurand] += value

    def reading(at: datetime, measurand: str) -> Decimal | None:
        return whole.get((at, measurand), phases.get((at, measurand)))

    start_kwh = Decimal(meter_start_wh) / 1000
    points: list[CurvePoint] = []
    for at in sorted({at for at, _ in (*whole, *phases)}):
        register = reading(at, ENERGY_REGISTER)
        energy = None if register is None else max(register - start_kwh, Decimal(0))
        if energy is None:
            energy = points[-1].energy_kwh if points else Decimal(0)
        power = reading(at, POWER_IMPORT)
        points.append(CurvePoint(at, energy.quantize(KWH), power and power.quantize(KW)))
    return points
