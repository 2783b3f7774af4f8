"""Tariff and timeline value objects used by the pricing engine (no I/O).

Tariffs follow OCPI 2.2.1 mod_tariffs: ordered elements, each with price components and
optional restrictions. Internally every price is VAT-inclusive (exact, never rounded) with its
component's VAT rate; `tax_rate` is the rate of components that do not name their own.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Literal

Dimension = Literal["ENERGY", "TIME", "PARKING_TIME", "FLAT"]
# What a priced period is for: a tariff dimension, or the time of a reservation (OCPI CDR).
PeriodDimension = Literal["ENERGY", "TIME", "PARKING_TIME", "FLAT", "RESERVATION_TIME"]
Reservation = Literal["RESERVATION", "RESERVATION_EXPIRES"]
DAYS_OF_WEEK: tuple[str, ...] = (
    "MONDAY",
    "TUESDAY",
    "WEDNESDAY",
    "THURSDAY",
    "FRIDAY",
    "SATURDAY",
    "SUNDAY",
)
DEFAULT_TIMEZONE = "Australia/Sydney"


@dataclass(frozen=True)
class PriceComponent:
    type: Dimension
    price: Decimal  # VAT-inclusive, exact: per kWh, per hour, per hour, per session
    step_size: int = 1  # seconds for TIME / PARKING_TIME, Wh for ENERGY; 0 or 1: none
    vat: Decimal | None = None  # percent; None: the tariff's tax_rate

    def rate(self, tax_rate: Decimal) -> Decimal:
        """The VAT share as a fraction (0.10 for 10%)."""
        return tax_rate if self.vat is None else self.vat / 100


@dataclass(frozen=True)
class Restrictions:
    """OCPI TariffRestrictions. Times and dates are the location's local wall clock.

    start_time inclusive, end_time exclusive (end before start wraps past midnight);
    start_date inclusive, end_date exclusive; min_* inclusive, max_* exclusive.
    """

    start_time: time | None = None
    end_time: time | None = None
    start_date: date | None = None
    end_date: date | None = None
    min_kwh: Decimal | None = None
    max_kwh: Decimal | None = None
    min_current: Decimal | None = None
    max_current: Decimal | None = None
    min_power: Decimal | None = None
    max_power: Decimal | None = None
    min_duration: int | None = None  # seconds since session start
    max_duration: int | None = None
    day_of_week: frozenset[int] | None = None  # 0 = Monday, as date.weekday()
    reservation: Reservation | None = None  # the element prices reservations, not sessions

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> "Restrictions":
        def dec(key: str) -> Decimal | None:
            return None if doc.get(key) is None else Decimal(str(doc[key]))

        def integer(key: str) -> int | None:
            return None if doc.get(key) is None else int(doc[key])

        def hhmm(key: str) -> time | None:
            return None if doc.get(key) is None else time.fromisoformat(str(doc[key]))

        def day(key: str) -> date | None:
            return None if doc.get(key) is None else date.fromisoformat(str(doc[key]))

        days = doc.get("day_of_week")
        unknown = [d for d in days or () if str(d).upper() not in DAYS_OF_WEEK]
        if unknown:
            raise ValueError(f"day_of_week: unknown day(s) {unknown}")
        reservation = doc.get("reservation")
        if reservation not in (None, "RESERVATION", "RESERVATION_EXPIRES"):
            raise ValueError(f"reservation: unknown value {reservation!r}")
        return cls(
            start_time=hhmm("start_time"),
            end_time=hhmm("end_time"),
            start_date=day("start_date"),
            end_date=day("end_date"),
            min_kwh=dec("min_kwh"),
            max_kwh=dec("max_kwh"),
            min_current=dec("min_current"),
            max_current=dec("max_current"),
            min_power=dec("min_power"),
            max_power=dec("max_power"),
            min_duration=integer("min_duration"),
            max_duration=integer("max_duration"),
            day_of_week=None
            if days is None
            else frozenset(DAYS_OF_WEEK.index(str(d).upper()) for d in days),
            reservation=reservation,
        )

    def document(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("start_time", "end_time"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value.strftime("%H:%M")
        for key in ("start_date", "end_date"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value.isoformat()
        for key in ("min_kwh", "max_kwh", "min_current", "max_current", "min_power", "max_power"):
            value = getattr(self, key)
            if value is not None:
                out[key] = str(value)
        for key in ("min_duration", "max_duration"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.day_of_week is not None:
            out["day_of_week"] = [DAYS_OF_WEEK[d] for d in sorted(self.day_of_week)]
        if self.reservation is not None:
            out["reservation"] = self.reservation
        return out


@dataclass(frozen=True)
class TariffElement:
    price_components: tuple[PriceComponent, ...]
    restrictions: Restrictions | None = None

    def component(self, dimension: PeriodDimension) -> PriceComponent | None:
        for c in self.price_components:
            if c.type == dimension:
                return c
        return None


def _component(doc: dict[str, Any]) -> PriceComponent:
    vat = doc.get("vat")
    return PriceComponent(
        type=doc["type"],
        price=Decimal(str(doc["price"])),
        step_size=int(doc.get("step_size", 1)),
        vat=None if vat is None else Decimal(str(vat)),
    )


def _limit(value: Any, key: str) -> Decimal | None:
    """One side of a min/max price: a number is VAT-inclusive; an OCPI Price object gives
    `excl_vat` and (optionally) `incl_vat`."""
    if value is None:
        return None
    if isinstance(value, dict):
        side = value.get(key)
        return None if side is None else Decimal(str(side))
    return Decimal(str(value)) if key == "incl_vat" else None


def _limit_document(incl: Decimal | None, excl: Decimal | None) -> str | dict[str, str] | None:
    if excl is None:
        return None if incl is None else str(incl)
    out = {"excl_vat": str(excl)}
    if incl is not None:
        out["incl_vat"] = str(incl)
    return out


@dataclass(frozen=True)
class TariffSpec:
    currency: str
    tax_rate: Decimal
    components: tuple[PriceComponent, ...]
    parking_grace_minutes: int = 0
    # Ordered OCPI elements; empty means one unrestricted element holding `components`.
    elements: tuple[TariffElement, ...] = ()
    min_price: Decimal | None = None  # VAT-inclusive
    max_price: Decimal | None = None
    min_price_excl_vat: Decimal | None = None  # OCPI: both bounds apply when both are given
    max_price_excl_vat: Decimal | None = None

    def __post_init__(self) -> None:
        if not self.elements:
            object.__setattr__(self, "elements", (TariffElement(self.components),))

    def price_of(self, dimension: Dimension) -> Decimal:
        for component in self.components:
            if component.type == dimension:
                return component.price
        return Decimal(0)

    def snapshot(self) -> dict[str, Any]:
        """JSON-safe copy stored on each session, so later tariff edits never change history."""
        elements = []
        for element in self.elements:
            doc: dict[str, Any] = {
                "price_components": [
                    {"type": c.type, "price": str(c.price), "step_size": c.step_size}
                    | ({} if c.vat is None else {"vat": str(c.vat)})
                    for c in element.price_components
                ]
            }
            if element.restrictions is not None:
                doc["restrictions"] = element.restrictions.document()
            elements.append(doc)
        out: dict[str, Any] = {
            "currency": self.currency,
            "tax_rate": str(self.tax_rate),
            "parking_grace_minutes": self.parking_grace_minutes,
            "elements": elements,
        }
        for key, incl, excl in (
            ("min_price", self.min_price, self.min_price_excl_vat),
            ("max_price", self.max_price, self.max_price_excl_vat),
        ):
            limit = _limit_document(incl, excl)
            if limit is not None:
                out[key] = limit
        return out

    @classmethod
    def from_snapshot(cls, snapshot: dict[str, Any]) -> "TariffSpec":
        return cls.from_document(
            snapshot["elements"],
            currency=snapshot["currency"],
            tax_rate=Decimal(str(snapshot["tax_rate"])),
            parking_grace_minutes=int(snapshot.get("parking_grace_minutes", 0)),
            min_price=snapshot.get("min_price"),
            max_price=snapshot.get("max_price"),
        )

    @classmethod
    def from_document(
        cls,
        elements: list[dict[str, Any]],
        *,
        currency: str,
        tax_rate: Decimal,
        parking_grace_minutes: int = 0,
        min_price: Any = None,
        max_price: Any = None,
    ) -> "TariffSpec":
        parsed = tuple(
            TariffElement(
                tuple(_component(c) for c in element.get("price_components", [])),
                None
                if element.get("restrictions") is None
                else Restrictions.from_document(element["restrictions"]),
            )
            for element in elements
        )
        components = tuple(c for element in parsed for c in element.price_components)
        return cls(
            currency,
            tax_rate,
            components,
            parking_grace_minutes,
            parsed or (TariffElement(()),),
            _limit(min_price, "incl_vat"),
            _limit(max_price, "incl_vat"),
            _limit(min_price, "excl_vat"),
            _limit(max_price, "excl_vat"),
        )


@dataclass(frozen=True)
class MeterSample:
    """A meter reading during the session. energy_kwh is the energy delivered since the
    session started (register minus its start value); power in kW, current in A, both as
    measured from `at` until the next sample."""

    at: datetime
    energy_kwh: Decimal | None = None
    power_kw: Decimal | None = None
    current_a: Decimal | None = None


@dataclass(frozen=True)
class Timeline:
    """When the car plugged in, stopped drawing energy, and left; and the energy delivered.

    The vehicle charges from start to charging_end, except during `idle` stretches (connected
    but not drawing energy, e.g. SuspendedEV), and is idle from charging_end to stop.
    Without energy samples, energy is linear over the charging time and power is the average.
    `timezone` is the location's (time-of-day, date and day-of-week restrictions use it).
    """

    start: datetime
    charging_end: datetime
    stop: datetime
    energy_kwh: Decimal
    samples: tuple[MeterSample, ...] = ()
    timezone: str = DEFAULT_TIMEZONE
    idle: tuple[tuple[datetime, datetime], ...] = ()


@dataclass(frozen=True)
class PricedPeriod:
    start: datetime
    duration_s: int
    consumption_kwh: Decimal
    dimension: PeriodDimension
    unit_price: Decimal  # VAT-inclusive
    amount: Decimal  # VAT-inclusive, to the cent
    gst: Decimal  # the VAT (GST) in amount, to the cent

    @property
    def amount_excl_vat(self) -> Decimal:
        return self.amount - self.gst


@dataclass(frozen=True)
class PricedSession:
    currency: str
    periods: tuple[PricedPeriod, ...] = field(default_factory=tuple)

    @property
    def amount(self) -> Decimal:
        return sum((p.amount for p in self.periods), Decimal("0.00"))

    @property
    def gst(self) -> Decimal:
        return sum((p.gst for p in self.periods), Decimal("0.00"))

    @property
    def amount_excl_vat(self) -> Decimal:
        return self.amount - self.gst
