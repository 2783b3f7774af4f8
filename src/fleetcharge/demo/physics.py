"""How much energy a car can take in how long: the physics every demo session obeys.

The one invariant: energy <= station power x charging time. Average power stays
below the lesser of the station's and the car's peak (DC tapers as the battery fills).
"""

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from fleetcharge.charging.recording import Attribution
from fleetcharge.demo.world import ChargePoint, Driver
from fleetcharge.pricing.schemas import TariffSpec, Timeline

DC_MIN_S, DC_MAX_S = 15 * 60, 60 * 60
AC_MIN_S, AC_MAX_S = 60 * 60, 10 * 60 * 60
SCHEDULED_SHARE = 0.08  # AC sessions that wait idle before charging starts


class DemoSession(NamedTuple):
    attribution: Attribution
    tariff: TariffSpec
    tariff_id: int
    timeline: Timeline


class Charge(NamedTuple):
    charging_s: int
    energy_wh: int
    parking_s: int
    # Plugged in but waiting before charging (a car's scheduled, e.g. off-peak, charging).
    waiting_s: int = 0


def max_energy_wh(point: ChargePoint, charging_s: int) -> int:
    return int(point.max_power_kw * charging_s / 3.6)


def average_power_kw(rng: random.Random, point: ChargePoint, driver: Driver) -> float:
    if point.current_type == "DC":
        return min(point.max_power_kw, driver.dc_kw) * rng.uniform(0.55, 0.85)
    return min(point.max_power_kw, driver.ac_kw) * rng.uniform(0.88, 0.97)


def uniform_int(rng: random.Random, low: int, high: int) -> int:
    """An integer in [low, high]; `randint` costs several times more and this runs per row."""
    return low + int(rng.random() * (high - low + 1))


def random_charge(rng: random.Random, point: ChargePoint, driver: Driver) -> Charge:
    """A typical session: DC 15-60 min, AC 1-10 h, limited by what the battery can take."""
    power = average_power_kw(rng, point, driver)
    if point.current_type == "DC":
        low, high = DC_MIN_S, DC_MAX_S
        room_kwh = driver.battery_kwh * rng.uniform(0.35, 0.75)
    else:
        low, high = AC_MIN_S, AC_MAX_S
        room_kwh = driver.battery_kwh * rng.uniform(0.2, 0.9)
    charging_s = uniform_int(rng, low, high)
    energy_kwh = power * charging_s / 3600
    if energy_kwh > room_kwh:
        energy_kwh = room_kwh
        charging_s = max(low, int(room_kwh / power * 3600))
    energy_wh = min(int(energy_kwh * 1000), max_energy_wh(point, charging_s))
    waiting_s = 0
    if point.current_type == "AC" and rng.random() < SCHEDULED_SHARE:
        waiting_s = uniform_int(rng, 15 * 60, 3 * 3600)
    return Charge(charging_s, energy_wh, random_parking_s(rng, point), waiting_s)


def random_parking_s(rng: random.Random, point: ChargePoint) -> int:
    """Idle time after charging: often none at DC; at AC anything up to an overnight stay."""
    roll = rng.random()
    if point.current_type == "DC":
        if roll < 0.55:
            return 0
        return uniform_int(rng, 30, 600) if roll < 0.9 else uniform_int(rng, 600, 2400)
    if roll < 0.25:
        return 0
    if roll < 0.7:
        return uniform_int(rng, 60, 5400)
    return uniform_int(rng, 2 * 3600, 14 * 3600)


def fixed_charge(
    rng: random.Random, point: ChargePoint, driver: Driver, charging_s: int, parking_s: int
) -> Charge:
    """A charge of a given duration (for scripted sessions), still within the physics."""
    energy_kwh = min(
        average_power_kw(rng, point, driver) * charging_s / 3600, driver.battery_kwh * 0.9
    )
    energy_wh = min(int(energy_kwh * 1000), max_energy_wh(point, charging_s))
    return Charge(charging_s, energy_wh, parking_s)


AttributionCache = dict[tuple[str, int], Attribution]


def demo_session(
    rng: random.Random,
    point: ChargePoint,
    driver: Driver,
    start: datetime,
    charge: Charge,
    attributions: AttributionCache | None = None,
) -> DemoSession:
    start = start.astimezone(UTC).replace(microsecond=0)
    charging_start = start + timedelta(seconds=charge.waiting_s)
    charging_end = charging_start + timedelta(seconds=charge.charging_s)
    timeline = Timeline(
        start=start,
        charging_end=charging_end,
        stop=charging_end + timedelta(seconds=charge.parking_s),
        energy_kwh=Decimal(charge.energy_wh).scaleb(-3),
        timezone=point.timezone,
        idle=((start, charging_start),) if charge.waiting_s else (),
    )
    connectors = point.connector_ids
    connector_id = connectors[int(rng.random() * len(connectors))]
    key = (driver.auth_id, connector_id)
    attribution = attributions.get(key) if attributions is not None else None
    if attribution is None:
        attribution = Attribution(
            auth_id=driver.auth_id,
            connector_id=connector_id,
            location_id=point.location_id,
            host_organisation_id=point.host_organisation_id,
            timezone=point.timezone,
            network_fee_per_kwh=point.network_fee_per_kwh,
            card_id=driver.card_id,
            vehicle_id=driver.vehicle_id,
            fleet_id=driver.fleet_id,
            payer_organisation_id=driver.payer_organisation_id,
        )
        if attributions is not None:
            attributions[key] = attribution
    tariff, tariff_id = point.tariff_for(driver.payer_organisation_id)
    return DemoSession(attribution, tariff, tariff_id, timeline)
