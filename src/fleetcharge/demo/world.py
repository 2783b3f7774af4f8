"""The network as the session generator sees it: charge points and drivers, with database ids."""

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from fleetcharge.demo.network import DemoNetwork
from fleetcharge.demo.places import TARIFF_OVERRIDES, VEHICLE_MODELS
from fleetcharge.pricing.schemas import TariffSpec


@dataclass(frozen=True)
class ChargePoint:
    """One station: where a session happens, what it costs and how fast it can charge."""

    name: str
    location_name: str
    connector_ids: tuple[int, ...]
    location_id: int
    host_key: str
    host_organisation_id: int
    public: bool
    timezone: str
    network_fee_per_kwh: Decimal
    current_type: str  # AC | DC
    max_power_kw: float
    tariff: TariffSpec
    tariff_id: int
    # What a paying organisation's own cards are charged here instead (tariff overrides).
    overrides: dict[int, tuple[TariffSpec, int]] = field(default_factory=dict)

    def tariff_for(self, payer_organisation_id: int | None) -> tuple[TariffSpec, int]:
        default = (self.tariff, self.tariff_id)
        if payer_organisation_id is None:
            return default
        return self.overrides.get(payer_organisation_id, default)


@dataclass(frozen=True)
class Driver:
    """Someone who starts sessions: a fleet card, or a public driver (payer fields None)."""

    auth_id: str
    payer_key: str | None
    battery_kwh: float
    ac_kw: float
    dc_kw: float
    home_timezone: str | None = None
    card_id: int | None = None
    vehicle_id: int | None = None
    fleet_id: int | None = None
    payer_organisation_id: int | None = None
    active_from: date | None = None
    active_until: date | None = None  # exclusive: the vehicle's effective_to

    def active_on(self, day: date) -> bool:
        if self.active_from is not None and day < self.active_from:
            return False
        return self.active_until is None or day < self.active_until


@dataclass(frozen=True)
class ChargingWorld:
    charge_points: tuple[ChargePoint, ...]
    drivers: tuple[Driver, ...]

    def drivers_of(self, payer_key: str | None) -> tuple[Driver, ...]:
        return tuple(d for d in self.drivers if d.payer_key == payer_key)


@dataclass(frozen=True)
class NetworkIds:
    """Database ids of the inserted network, keyed by the spec's natural keys."""

    organisations: dict[str, int]  # organisation key
    fleets: dict[str, int]  # fleet key
    tariffs: dict[str, int]  # tariff key
    locations: dict[str, int]  # location name
    connectors: dict[str, tuple[int, ...]]  # station evse_id
    vehicles: dict[str, int]  # vehicle uuid (hex)
    cards: dict[str, int]  # id_tag


def build_world(network: DemoNetwork, ids: NetworkIds) -> ChargingWorld:
    organisations = {org.key: org for org in network.organisations}
    tariffs = {t.key: t.pricing() for t in network.tariffs}
    overrides: dict[str, dict[int, tuple[TariffSpec, int]]] = {}
    for o in TARIFF_OVERRIDES:
        overrides.setdefault(o.location_name, {})[ids.organisations[o.organisation_key]] = (
            tariffs[o.tariff_key],
            ids.tariffs[o.tariff_key],
        )
    charge_points = tuple(
        ChargePoint(
            name=station.name,
            location_name=location.site.name,
            connector_ids=ids.connectors[station.evse_id],
            location_id=ids.locations[location.site.name],
            host_key=location.site.host_key,
            host_organisation_id=ids.organisations[location.site.host_key],
            public=location.site.public,
            timezone=location.timezone,
            network_fee_per_kwh=organisations[location.site.host_key].data.network_fee_per_kwh,
            current_type=station.current_type,
            max_power_kw=float(station.max_power_kw),
            tariff=tariffs[station.tariff_key],
            tariff_id=ids.tariffs[station.tariff_key],
            overrides=overrides.get(location.site.name, {}),
        )
        for location in network.locations
        for station in location.stations
    )
    drivers = [
        Driver(
            auth_id=card.id_tag,
            payer_key=vehicle.organisation_key,
            battery_kwh=vehicle.model.battery_kwh,
            ac_kw=vehicle.model.ac_kw,
            dc_kw=vehicle.model.dc_kw,
            home_timezone=vehicle.home_timezone,
            card_id=ids.cards[card.id_tag],
            vehicle_id=ids.vehicles[vehicle.uuid.hex],
            fleet_id=ids.fleets[vehicle.fleet_key],
            payer_organisation_id=ids.organisations[vehicle.organisation_key],
            active_from=vehicle.effective_from,
            active_until=vehicle.effective_to,
        )
        for vehicle in network.vehicles
        for card in vehicle.cards
    ]
    # Public drivers' cars are not on record; pick a model per tag, stable for the tag.
    for tag in network.public_id_tags:
        model = random.Random(tag).choice(VEHICLE_MODELS)
        drivers.append(Driver(tag, None, model.battery_kwh, model.ac_kw, model.dc_kw))
    return ChargingWorld(charge_points, tuple(drivers))
