"""The demo network's fixed data: organisations, tariffs, charging sites and vehicle models.

Names and addresses are invented but shaped like real Australian sites; every
Australian mainland and Tasmanian time zone has at least two locations.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

CYBERTRON = "cybertron"
COASTLINE = "coastline"
OUTBACK = "outback"
GREEN_WHEELS = "green_wheels"

AUSTRALIAN_TIMEZONES = (
    "Australia/Sydney",
    "Australia/Melbourne",
    "Australia/Brisbane",
    "Australia/Adelaide",
    "Australia/Darwin",
    "Australia/Perth",
    "Australia/Hobart",
)


@dataclass(frozen=True)
class OrganisationData:
    key: str
    name: str
    billing_timezone: str
    vehicle_fee: Decimal
    station_subscription_fee: Decimal
    network_fee_per_kwh: Decimal
    fleets: tuple[str, ...]


ORGANISATIONS = (
    # Two fleets like the reference examples, and depots open to the public: both sides.
    OrganisationData(
        CYBERTRON,
        "Cybertron",
        "Australia/Sydney",
        Decimal("4.95"),
        Decimal("49.00"),
        Decimal("0.1750"),
        ("Autobots", "Decepticons (Strike Force)"),
    ),
    # A property group that only hosts stations.
    OrganisationData(
        COASTLINE,
        "Coastline Property Group",
        "Australia/Melbourne",
        Decimal("4.95"),
        Decimal("39.00"),
        Decimal("0.1500"),
        (),
    ),
    # A freight company with its own depots, charging there and on the road.
    OrganisationData(
        OUTBACK,
        "Outback Freight Co.",
        "Australia/Perth",
        Decimal("4.95"),
        Decimal("29.00"),
        Decimal("0.1650"),
        ("Linehaul", "Metro Delivery"),
    ),
    # A car-share operator that only charges on the public network.
    OrganisationData(
        GREEN_WHEELS,
        "Green Wheels Car Share",
        "Australia/Brisbane",
        Decimal("4.95"),
        Decimal("0.00"),
        Decimal("0.1750"),
        ("Brisbane Share Cars",),
    ),
)


@dataclass(frozen=True)
class TariffData:
    key: str
    owner_key: str | None
    name: str
    elements: list[dict[str, Any]]
    parking_grace_minutes: int = 0


def _components(*components: tuple[str, str, int]) -> list[dict[str, Any]]:
    return [
        {
            "price_components": [
                {"type": kind, "price": price, "step_size": step}
                for kind, price, step in components
            ]
        }
    ]


TARIFFS = (
    TariffData("standard_ac", None, "Standard AC 30c/kWh", _components(("ENERGY", "0.30", 1))),
    TariffData(
        "retail_ac_idle",
        COASTLINE,
        "Retail AC 35c/kWh, idle fee 10c/min after 30 min",
        _components(("ENERGY", "0.35", 1), ("PARKING_TIME", "6.00", 60)),
        parking_grace_minutes=30,
    ),
    TariffData(
        "carpark_ac",
        COASTLINE,
        "Car park AC $1.00 per session + 32c/kWh",
        _components(("ENERGY", "0.32", 1), ("FLAT", "1.00", 1)),
    ),
    TariffData("dc_fast", None, "DC fast 60c/kWh", _components(("ENERGY", "0.60", 1))),
    TariffData(
        "dc_ultra_idle",
        COASTLINE,
        "DC ultra-fast 75c/kWh, idle fee 40c/min after 10 min",
        _components(("ENERGY", "0.75", 1), ("PARKING_TIME", "24.00", 60)),
        parking_grace_minutes=10,
    ),
    TariffData("free", COASTLINE, "Free guest charging", _components(("ENERGY", "0.00", 1))),
    TariffData("depot", OUTBACK, "Depot rate 22c/kWh", _components(("ENERGY", "0.22", 1))),
    TariffData(
        "dc_time_of_use",
        CYBERTRON,
        "DC time-of-use: peak 69c, off-peak 39c, else 55c/kWh; idle $0.40/min after 10 min",
        [
            {
                "price_components": [{"type": "ENERGY", "price": "0.69", "step_size": 1}],
                "restrictions": {"start_time": "16:00", "end_time": "21:00"},
            },
            {
                "price_components": [{"type": "ENERGY", "price": "0.39", "step_size": 1}],
                "restrictions": {"start_time": "21:00", "end_time": "07:00"},
            },
            *_components(("ENERGY", "0.55", 1), ("PARKING_TIME", "24.00", 60)),
        ],
        parking_grace_minutes=10,
    ),
    TariffData(
        "staff",
        CYBERTRON,
        "Cybertron staff: free at own depots",
        _components(("ENERGY", "0.00", 1)),
    ),
)


@dataclass(frozen=True)
class OverrideData:
    """An organisation's own cards pay `tariff_key` at a location instead of its stations'."""

    organisation_key: str
    location_name: str
    tariff_key: str


TARIFF_OVERRIDES = (
    OverrideData(CYBERTRON, "Cybertron Alexandria Depot", "staff"),
    OverrideData(CYBERTRON, "Cybertron Port Melbourne Depot", "staff"),
    OverrideData(CYBERTRON, "Cybertron Eagle Farm Yard", "staff"),
)


@dataclass(frozen=True)
class SiteData:
    host_key: str
    name: str
    address: str
    timezone: str
    public: bool
    # Station kinds, e.g. "AC22" or "DC150": current type and maximum power in kW.
    stations: tuple[str, ...]
    ac_tariff: str
    dc_tariff: str = "dc_fast"


def _site(
    host: str,
    name: str,
    address: str,
    timezone: str,
    stations: str,
    ac_tariff: str,
    dc_tariff: str = "dc_fast",
    public: bool = True,
) -> SiteData:
    return SiteData(
        host, name, address, timezone, public, tuple(stations.split()), ac_tariff, dc_tariff
    )


SYD, MEL, BNE, ADL, DRW, PER, HBA = AUSTRALIAN_TIMEZONES

# fmt: off
SITES = (
    _site(CYBERTRON, "Cybertron Alexandria Depot", "12 Bourke Road, Alexandria NSW 2015", SYD,
          "AC22 AC22 AC22 DC75", "standard_ac", "dc_time_of_use"),
    _site(CYBERTRON, "Cybertron Port Melbourne Depot", "61 Ingles Street, Port Melbourne VIC 3207",
          MEL, "AC11 AC11 DC50", "standard_ac", "dc_time_of_use"),
    _site(CYBERTRON, "Cybertron Eagle Farm Yard", "230 Lamington Avenue, Eagle Farm QLD 4009", BNE,
          "AC22 AC22", "standard_ac", public=False),
    _site(COASTLINE, "Parramatta Central Plaza", "159 Church Street, Parramatta NSW 2150", SYD,
          "AC22 AC22 AC7 DC150", "retail_ac_idle", "dc_ultra_idle"),
    _site(COASTLINE, "Chatswood Interchange Car Park",
          "436 Victoria Avenue, Chatswood NSW 2067", SYD,
          "AC7 AC7 AC11", "carpark_ac"),
    _site(COASTLINE, "Canberra Civic Car Park", "1 Constitution Avenue, Canberra ACT 2601", SYD,
          "AC22 DC50", "carpark_ac"),
    _site(COASTLINE, "Goulburn Hume Highway Stop", "2 Sowerby Street, Goulburn NSW 2580", SYD,
          "DC350 DC350 DC150", "standard_ac", "dc_ultra_idle"),
    _site(COASTLINE, "Docklands Waterfront Car Park",
          "440 Docklands Drive, Docklands VIC 3008", MEL,
          "AC22 AC22 AC11", "carpark_ac"),
    _site(COASTLINE, "Geelong Eastern Beach Plaza", "21 Eastern Beach Road, Geelong VIC 3220", MEL,
          "AC11 DC75", "retail_ac_idle"),
    _site(COASTLINE, "Ballarat Sturt Street Centre", "402 Sturt Street, Ballarat Central VIC 3350",
          MEL, "AC7 AC7", "retail_ac_idle"),
    _site(COASTLINE, "South Bank Parklands Car Park",
          "130 Grey Street, South Brisbane QLD 4101", BNE,
          "AC22 AC22 DC50", "carpark_ac"),
    _site(COASTLINE, "Surfers Paradise Beach Plaza", "3113 Surfers Paradise Boulevard, Surfers "
          "Paradise QLD 4217", BNE, "AC11 AC11 DC150", "retail_ac_idle", "dc_ultra_idle"),
    _site(COASTLINE, "Gympie Bruce Highway Service Centre", "21 Bruce Highway, Gympie QLD 4570",
          BNE, "DC150 DC50", "standard_ac"),
    _site(COASTLINE, "Rundle Street Car Park", "200 Rundle Street, Adelaide SA 5000", ADL,
          "AC22 AC11 AC7", "carpark_ac"),
    _site(COASTLINE, "Port Augusta Highway One Stop", "3 Highway One, Port Augusta SA 5700", ADL,
          "DC150 DC75", "standard_ac"),
    _site(COASTLINE, "Glenelg Jetty Road Plaza", "81 Jetty Road, Glenelg SA 5045", ADL,
          "AC11 AC11", "retail_ac_idle"),
    _site(COASTLINE, "Darwin Waterfront Car Park", "19 Kitchener Drive, Darwin City NT 0800", DRW,
          "AC22 AC22 DC50", "carpark_ac"),
    _site(COASTLINE, "Katherine Stuart Highway Stop", "15 Stuart Highway, Katherine NT 0850", DRW,
          "DC75", "standard_ac"),
    _site(COASTLINE, "Elizabeth Quay Car Park", "2 The Esplanade, Perth WA 6000", PER,
          "AC22 AC22 AC11 DC150", "carpark_ac", "dc_ultra_idle"),
    _site(COASTLINE, "Fremantle Market Car Park", "12 Henderson Street, Fremantle WA 6160", PER,
          "AC11 AC7", "retail_ac_idle"),
    _site(COASTLINE, "Joondalup Lakeside Plaza", "420 Joondalup Drive, Joondalup WA 6027", PER,
          "AC22 DC75", "retail_ac_idle"),
    _site(COASTLINE, "Salamanca Place Car Park", "70 Salamanca Place, Hobart TAS 7000", HBA,
          "AC22 AC11 DC50", "carpark_ac"),
    _site(COASTLINE, "Hobart Waterfront Hotel", "1 Davey Street, Hobart TAS 7000", HBA,
          "AC7 AC7", "free"),
    _site(COASTLINE, "Launceston Gorge Car Park", "74 Paterson Street, Launceston TAS 7250", HBA,
          "AC11 DC50", "retail_ac_idle"),
    _site(OUTBACK, "Outback Freight Kewdale Depot", "95 Kewdale Road, Kewdale WA 6105", PER,
          "AC22 AC22 AC22 DC150 DC150", "depot", "depot", public=False),
    _site(OUTBACK, "Outback Freight Berrimah Depot", "27 Berrimah Road, Berrimah NT 0828", DRW,
          "AC22 DC75", "depot", "depot", public=False),
    _site(OUTBACK, "Outback Freight Wingfield Depot", "18 Cavan Road, Wingfield SA 5013", ADL,
          "AC22 AC22 DC75", "depot", "depot", public=False),
    _site(OUTBACK, "Outback Freight Laverton North Depot", "44 Boundary Road, Laverton North VIC "
          "3026", MEL, "AC22 DC150", "depot", "depot", public=False),
)
# fmt: on


@dataclass(frozen=True)
class VehicleModel:
    name: str
    wmi: str  # world manufacturer identifier, the VIN's first three characters
    vds: str  # vehicle descriptor section, characters 4-8
    battery_kwh: float
    ac_kw: float  # on-board charger
    dc_kw: float  # peak DC charging power


VEHICLE_MODELS = (
    VehicleModel("Tesla Model 3", "LRW", "3E7EK", 60.0, 11.0, 170.0),
    VehicleModel("Tesla Model Y", "LRW", "YGCEK", 75.0, 11.0, 250.0),
    VehicleModel("BYD Atto 3", "LGX", "CE4CB", 60.5, 7.0, 88.0),
    VehicleModel("MG4", "LSJ", "WH4G3", 64.0, 11.0, 135.0),
    VehicleModel("Hyundai Ioniq 5", "KMH", "M241E", 77.4, 11.0, 220.0),
    VehicleModel("Kia EV6", "KNA", "C381E", 77.4, 11.0, 240.0),
    VehicleModel("Nissan Leaf", "SJN", "FAAZE", 40.0, 6.6, 50.0),
    VehicleModel("Polestar 2", "LPS", "ED3KA", 78.0, 11.0, 205.0),
    VehicleModel("Volvo XC40 Recharge", "YV1", "XZEDV", 78.0, 11.0, 150.0),
    VehicleModel("LDV eDeliver 9", "LSF", "AM3E9", 88.0, 11.0, 80.0),
    VehicleModel("LDV eT60", "LSF", "AP3E6", 88.5, 6.6, 80.0),
    VehicleModel("Hyundai Kona Electric", "KMH", "K81BG", 64.0, 7.2, 100.0),
)

# fmt: off
AUTOBOT_TAGS = (
    "OPTIMUS", "BUMBLEBEE", "RATCHET", "JAZZ", "IRONHIDE", "WHEELJACK", "HOUND", "MIRAGE",
    "PROWL", "SIDESWIPE", "SUNSTREAKER", "ARCEE", "HOTROD", "KUP", "BLURR", "SPRINGER",
    "GRIMLOCK", "TRAILBREAKER", "SMOKESCREEN", "INFERNO",
)
DECEPTICON_TAGS = (
    "MEGATRON", "STARSCREAM", "SOUNDWAVE", "SHOCKWAVE", "THUNDERCRACKER", "SKYWARP", "JETFIRE",
    "BLITZWING", "ASTROTRAIN", "CYCLONUS", "SCOURGE", "BARRICADE", "LUGNUT", "BLACKOUT",
    "RUMBLE", "RAVAGE",
)
# fmt: on
