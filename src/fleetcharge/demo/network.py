"""A deterministic, realistic Australian charging network for demos and benchmarks.

`build_network` is pure: the same seed and reference date give the same organisations,
vehicles, cards, locations, stations and tariffs, UUIDs included.
"""

import random
import uuid as uuid_module
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from fleetcharge.demo import identifiers as ids
from fleetcharge.demo.places import (
    ADL,
    AUTOBOT_TAGS,
    BNE,
    CYBERTRON,
    DECEPTICON_TAGS,
    DRW,
    GREEN_WHEELS,
    HBA,
    MEL,
    ORGANISATIONS,
    OUTBACK,
    PER,
    SITES,
    SYD,
    TARIFFS,
    VEHICLE_MODELS,
    OrganisationData,
    SiteData,
    VehicleModel,
)
from fleetcharge.models.vehicle import CardStatus
from fleetcharge.pricing.schemas import TariffSpec

DEMO_SEED = 20240210
CURRENCY = "AUD"
GST_RATE = Decimal("0.1000")
PUBLIC_DRIVER_COUNT = 160
STATION_POWER_KW = {"AC7": "7.4", "AC11": "11.0", "AC22": "22.0"}


@dataclass(frozen=True)
class OrganisationSpec:
    data: OrganisationData
    uuid: uuid_module.UUID
    abn: str

    @property
    def key(self) -> str:
        return self.data.key


@dataclass(frozen=True)
class FleetSpec:
    key: str
    organisation_key: str
    name: str
    uuid: uuid_module.UUID


@dataclass(frozen=True)
class CardSpec:
    id_tag: str
    uuid: uuid_module.UUID
    status: CardStatus = CardStatus.ACTIVE


@dataclass(frozen=True)
class VehicleSpec:
    fleet_key: str
    organisation_key: str
    uuid: uuid_module.UUID
    vin: str
    registration_number: str
    contract_number: str
    effective_from: date
    effective_to: date | None
    model: VehicleModel
    home_timezone: str
    cards: tuple[CardSpec, ...] = ()


@dataclass(frozen=True)
class TariffSpecRow:
    key: str
    owner_key: str | None
    name: str
    uuid: uuid_module.UUID
    elements: list[dict[str, Any]]
    parking_grace_minutes: int
    currency: str = CURRENCY
    tax_rate: Decimal = GST_RATE

    def pricing(self) -> TariffSpec:
        return TariffSpec.from_document(
            self.elements,
            currency=self.currency,
            tax_rate=self.tax_rate,
            parking_grace_minutes=self.parking_grace_minutes,
        )


@dataclass(frozen=True)
class StationSpec:
    uuid: uuid_module.UUID
    evse_id: str
    name: str
    ocpp_identity: str
    current_type: str
    max_power_kw: Decimal
    tariff_key: str
    connector_names: tuple[str, ...]


@dataclass(frozen=True)
class LocationSpec:
    site: SiteData
    uuid: uuid_module.UUID
    stations: tuple[StationSpec, ...]

    @property
    def timezone(self) -> str:
        return self.site.timezone


@dataclass(frozen=True)
class DemoNetwork:
    organisations: tuple[OrganisationSpec, ...]
    fleets: tuple[FleetSpec, ...]
    tariffs: tuple[TariffSpecRow, ...]
    locations: tuple[LocationSpec, ...]
    vehicles: tuple[VehicleSpec, ...]
    # Id tags of drivers outside every fleet (apps, credit-card readers): no card rows.
    public_id_tags: tuple[str, ...] = field(default_factory=tuple)


def build_network(seed: int = DEMO_SEED, *, today: date) -> DemoNetwork:
    rng = random.Random(seed)
    organisations = tuple(
        OrganisationSpec(data, ids.random_uuid(rng), ids.make_abn(rng)) for data in ORGANISATIONS
    )
    fleets = tuple(
        FleetSpec(f"{org.key}:{name}", org.key, name, ids.random_uuid(rng))
        for org in organisations
        for name in org.data.fleets
    )
    tariffs = tuple(
        TariffSpecRow(
            t.key, t.owner_key, t.name, ids.random_uuid(rng), t.elements, t.parking_grace_minutes
        )
        for t in TARIFFS
    )
    locations = _locations(rng)
    vehicles = _VehicleFactory(rng, today).build()
    card_tags = {card.id_tag for vehicle in vehicles for card in vehicle.cards}
    public_tags: list[str] = []
    while len(public_tags) < PUBLIC_DRIVER_COUNT:
        tag = ids.app_session_tag(rng) if rng.random() < 0.6 else ids.rfid_uid(rng)
        if tag not in card_tags and tag not in public_tags:
            public_tags.append(tag)
    return DemoNetwork(organisations, fleets, tariffs, locations, vehicles, tuple(public_tags))


def _locations(rng: random.Random) -> tuple[LocationSpec, ...]:
    station_numbers = rng.sample(range(1000, 9999), sum(len(site.stations) for site in SITES))
    numbers = iter(station_numbers)
    locations = []
    for site in SITES:
        stations = []
        for kind in site.stations:
            number = next(numbers)
            current = kind[:2]
            if current == "AC":
                power = Decimal(STATION_POWER_KW[kind])
                identity = f"SCHN-EVL{kind[2:]}-{number}{rng.randrange(100):02d}"
                ports = 2 if kind == "AC22" and rng.random() < 0.5 else 1
                tariff_key = site.ac_tariff
            else:
                power = Decimal(kind[2:]).quantize(Decimal("0.1"))
                identity = f"TRIT-RT{kind[2:]}-{number}{rng.randrange(100):02d}"
                ports = 2 if power <= 75 or rng.random() < 0.5 else 1
                tariff_key = site.dc_tariff
            stations.append(
                StationSpec(
                    uuid=ids.random_uuid(rng),
                    evse_id=f"AU*FCN*E{number}",
                    name=f"Station {number}",
                    ocpp_identity=identity,
                    current_type=current,
                    max_power_kw=power,
                    tariff_key=tariff_key,
                    connector_names=tuple(f"Port {letter}" for letter in "AB"[:ports]),
                )
            )
        locations.append(LocationSpec(site, ids.random_uuid(rng), tuple(stations)))
    return tuple(locations)


HOME_TIMEZONES = {
    f"{CYBERTRON}:Autobots": (SYD, SYD, SYD, MEL, MEL, BNE, HBA),
    f"{CYBERTRON}:Decepticons (Strike Force)": (SYD, MEL, BNE, ADL, DRW, PER, HBA),
    f"{OUTBACK}:Linehaul": (PER, DRW, ADL, MEL),
    f"{OUTBACK}:Metro Delivery": (PER, PER, PER, ADL, MEL),
    f"{GREEN_WHEELS}:Brisbane Share Cars": (BNE, BNE, BNE, SYD),
}


class _VehicleFactory:
    """Builds every fleet's vehicles, with the awkward cases the API must show correctly."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.vehicles: list[VehicleSpec] = []

    def build(self) -> tuple[VehicleSpec, ...]:
        self._cybertron()
        self._hex_card_fleet(
            f"{OUTBACK}:Linehaul", "OFC-LH-{:04d}", 9, ("LDV eT60", "Tesla Model Y")
        )
        self._hex_card_fleet(
            f"{OUTBACK}:Metro Delivery", "OFC-MD-{:04d}", 10, ("LDV eDeliver 9", "BYD Atto 3")
        )
        self._hex_card_fleet(
            f"{GREEN_WHEELS}:Brisbane Share Cars",
            "GW-{:05d}",
            13,
            ("MG4", "BYD Atto 3", "Tesla Model 3", "Hyundai Kona Electric", "Nissan Leaf"),
        )
        return tuple(self.vehicles)

    def _model(self, names: tuple[str, ...] | None = None) -> VehicleModel:
        choices = [m for m in VEHICLE_MODELS if names is None or m.name in names]
        return self.rng.choice(choices)

    def _add(
        self,
        fleet_key: str,
        contract: str,
        tags: tuple[str, ...],
        *,
        model: VehicleModel,
        effective_from: date,
        effective_to: date | None = None,
        vin: str | None = None,
    ) -> VehicleSpec:
        rng = self.rng
        home = rng.choice(HOME_TIMEZONES[fleet_key])
        model_year = min(max(effective_from.year - rng.choice((0, 0, 1)), 2018), 2027)
        status = CardStatus.BLOCKED if effective_to is not None else CardStatus.ACTIVE
        vehicle = VehicleSpec(
            fleet_key=fleet_key,
            organisation_key=fleet_key.split(":", 1)[0],
            uuid=ids.random_uuid(rng),
            vin=vin or ids.make_vin(rng, model.wmi, model.vds, model_year),
            registration_number=ids.registration_number(rng, home),
            contract_number=contract,
            effective_from=effective_from,
            effective_to=effective_to,
            model=model,
            home_timezone=home,
            cards=tuple(CardSpec(tag, ids.random_uuid(rng), status) for tag in tags),
        )
        self.vehicles.append(vehicle)
        return vehicle

    def _joined(self, *, long_ago: bool = False) -> date:
        """Mostly long-standing vehicles; about one in five joined during the demo months."""
        if not long_ago and self.rng.random() < 0.2:
            return self.today - timedelta(days=self.rng.randrange(20, 200))
        return date(2019, 1, 1) + timedelta(days=self.rng.randrange(0, 5 * 365))

    def _retired(self, effective_from: date, *, recently: bool) -> date:
        if recently:
            return self.today - timedelta(days=self.rng.randrange(15, 150))
        retired = max(effective_from + timedelta(days=120), date(2023, 6, 1)) + timedelta(
            days=self.rng.randrange(0, 300)
        )
        return min(retired, self.today - timedelta(days=200))

    def _cybertron(self) -> None:
        autobots = f"{CYBERTRON}:Autobots"
        decepticons = f"{CYBERTRON}:Decepticons (Strike Force)"
        prime = self._add(
            autobots,
            "PRIME",
            ("OPTIMUS", "PRIME"),
            model=self._model(("Tesla Model Y",)),
            effective_from=date(2020, 12, 29),
        )
        for number, tag in enumerate(AUTOBOT_TAGS[1:], start=2):
            retiring = tag in ("KUP", "INFERNO")
            joined = self._joined(long_ago=retiring)
            retired = None
            if retiring:
                retired = self._retired(joined, recently=tag == "INFERNO")
            self._add(
                autobots,
                f"AUTOBOT-{number:02d}",
                (tag,),
                model=self._model(),
                effective_from=joined,
                effective_to=retired,
            )
        for number in (len(AUTOBOT_TAGS) + 1, len(AUTOBOT_TAGS) + 2):
            self._add(
                autobots,
                f"AUTOBOT-{number:02d}",
                (),
                model=self._model(),
                effective_from=self._joined(),
            )
        # The same VIN as PRIME: the car left the Decepticons before joining the Autobots.
        self._add(
            decepticons,
            "DECEPTICON-01",
            (),
            model=prime.model,
            effective_from=date(2019, 1, 6),
            effective_to=date(2020, 12, 15),
            vin=prime.vin,
        )
        for number, tag in enumerate(DECEPTICON_TAGS, start=2):
            joined = self._joined(long_ago=tag == "SCOURGE")
            retired = self._retired(joined, recently=True) if tag == "SCOURGE" else None
            self._add(
                decepticons,
                f"DECEPTICON-{number:02d}",
                (tag,),
                model=self._model(),
                effective_from=joined,
                effective_to=retired,
            )
        self._add(
            decepticons,
            f"DECEPTICON-{len(DECEPTICON_TAGS) + 2:02d}",
            (),
            model=self._model(),
            effective_from=self._joined(),
        )

    def _hex_card_fleet(
        self, fleet_key: str, contract_format: str, count: int, models: tuple[str, ...]
    ) -> None:
        """A fleet with RFID-UID cards: one vehicle without a card, one with two, one retired."""
        for number in range(1, count + 1):
            cards_wanted = 0 if number == count else 2 if number == 2 else 1
            joined = self._joined(long_ago=number == 3)
            retired = self._retired(joined, recently=True) if number == 3 else None
            self._add(
                fleet_key,
                contract_format.format(number),
                tuple(ids.rfid_uid(self.rng) for _ in range(cards_wanted)),
                model=self._model(models),
                effective_from=joined,
                effective_to=retired,
            )
