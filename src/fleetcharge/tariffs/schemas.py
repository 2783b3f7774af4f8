"""The tariff document operators write: an OCPI 2.2.1 Tariff object, complete, or our
GST-inclusive form of it. Both load into one internal form (pricing.schemas.TariffSpec).

- Prices: an OCPI document (one with `last_updated`, which OCPI requires) gives prices
  excluding VAT with each component's `vat` percent (none: no VAT); our form gives them
  GST-inclusive with `tax_rate` (default 0.10) for components without their own `vat`.
  `prices_include_vat` states the form explicitly. Internally every price is VAT-inclusive,
  exact (excl x (1 + vat/100)), with its component's rate.
- `min_price` / `max_price`: a number (in the document's own form) or OCPI's Price object;
  each of `excl_vat` and `incl_vat` given is a bound on that total.
- Our additions: `name` (defaults to OCPI's `id`), `owner` (organisation name or UUID),
  `tax_rate`, `parking_grace_minutes` (idle minutes before PARKING_TIME is billed).
- Every other OCPI field (`type`, `tariff_alt_text`, `tariff_alt_url`, `energy_mix`,
  `start_date_time`, `end_date_time`, `last_updated`, `id`, `country_code`, `party_id`) is
  validated and kept as given.

Validation errors name the path to the bad field, e.g. `elements[1].restrictions.start_time`.
"""

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from fleetcharge.money import round_money
from fleetcharge.pricing.schemas import DAYS_OF_WEEK, TariffSpec
from fleetcharge.tariffs.ocpi_fields import DisplayText, EnergyMix, OcpiTimes, TariffType

DECIMAL_TEXT = re.compile(r"-?\d+(\.\d+)?")
DEFAULT_TAX_RATE = Decimal("0.10")  # Australian GST
PRICE_PLACES = 4
NAME_MISSING = "name: required (or OCPI's id, which then names the tariff)"
# Bounds far beyond any real tariff that keep every priced session within the money columns.
MAX_UNIT_PRICE = Decimal(10_000)  # per kWh, hour or session
MAX_PRICE = Decimal(1_000_000)  # a session's min_price / max_price
MAX_STEP = 1_000_000  # Wh or seconds
MAX_KWH = Decimal(100_000)
MAX_AMPERES_OR_KW = Decimal(10_000)
MAX_SECONDS = 366 * 24 * 3600
CLOCK = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
DayOfWeek = Literal["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]


def _decimal(value: Any) -> Any:
    """Numbers as exact decimals: JSON numbers and numeric strings, never floats' binary noise."""
    if isinstance(value, bool):
        raise ValueError("must be a number")
    if isinstance(value, int | float):
        value = Decimal(str(value))
    elif isinstance(value, str) and DECIMAL_TEXT.fullmatch(value.strip()):
        value = Decimal(value.strip())
    if not isinstance(value, Decimal):
        raise ValueError("must be a number")
    if not value.is_finite():
        raise ValueError("must be a finite number")
    return value


def _cents(value: Decimal) -> Decimal:
    """Whole cents written as such (100 -> 100.00); anything else is left for the checks."""
    if abs(value) > MAX_PRICE:
        return value  # refused by the field's bound
    return round_money(value) if value == round_money(value) else value


def _at_most_places(value: Decimal, places: int) -> Decimal:
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise ValueError(f"must have at most {places} decimal places, got {value}")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PriceComponentDocument(_Strict):
    type: Literal["ENERGY", "TIME", "PARKING_TIME", "FLAT"]
    price: Annotated[Decimal, Field(ge=0, le=MAX_UNIT_PRICE)]
    vat: Annotated[Decimal, Field(ge=0, le=100)] | None = None
    # 0 (the spec's own free-of-charge example) and 1 both mean no rounding.
    step_size: Annotated[int, Field(ge=0, le=MAX_STEP, strict=True)] = 1

    _numbers = field_validator("price", "vat", mode="before")(
        lambda value: None if value is None else _decimal(value)
    )

    @field_validator("price")
    @classmethod
    def _price_places(cls, value: Decimal) -> Decimal:
        return _at_most_places(value, PRICE_PLACES)

    @field_validator("vat")
    @classmethod
    def _vat_places(cls, value: Decimal | None) -> Decimal | None:
        return None if value is None else _at_most_places(value, 2)


class RestrictionsDocument(_Strict):
    start_time: str | None = None
    end_time: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    min_kwh: Annotated[Decimal, Field(ge=0, le=MAX_KWH)] | None = None
    max_kwh: Annotated[Decimal, Field(ge=0, le=MAX_KWH)] | None = None
    min_current: Annotated[Decimal, Field(ge=0, le=MAX_AMPERES_OR_KW)] | None = None
    max_current: Annotated[Decimal, Field(ge=0, le=MAX_AMPERES_OR_KW)] | None = None
    min_power: Annotated[Decimal, Field(ge=0, le=MAX_AMPERES_OR_KW)] | None = None
    max_power: Annotated[Decimal, Field(ge=0, le=MAX_AMPERES_OR_KW)] | None = None
    min_duration: Annotated[int, Field(ge=0, le=MAX_SECONDS, strict=True)] | None = None
    max_duration: Annotated[int, Field(ge=0, le=MAX_SECONDS, strict=True)] | None = None
    day_of_week: Annotated[list[DayOfWeek], Field(min_length=1)] | None = None
    reservation: Literal["RESERVATION", "RESERVATION_EXPIRES"] | None = None

    _numbers = field_validator(
        "min_kwh",
        "max_kwh",
        "min_current",
        "max_current",
        "min_power",
        "max_power",
        mode="before",
    )(lambda value: None if value is None else _decimal(value))

    @field_validator("start_time", "end_time")
    @classmethod
    def _clock(cls, value: str | None) -> str | None:
        if value is not None and not CLOCK.fullmatch(value):
            raise ValueError(f"must be a local time HH:MM (00:00-23:59), got {value!r}")
        return value

    @field_validator("day_of_week")
    @classmethod
    def _distinct_days(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("lists a day more than once")
        return value

    @model_validator(mode="after")
    def _ranges(self) -> "RestrictionsDocument":
        for low, high in (
            ("start_date", "end_date"),
            ("min_kwh", "max_kwh"),
            ("min_current", "max_current"),
            ("min_power", "max_power"),
            ("min_duration", "max_duration"),
        ):
            a, b = getattr(self, low), getattr(self, high)
            if a is not None and b is not None and not a < b:
                raise ValueError(f"{low} ({a}) must be below {high} ({b})")
        if self.start_time is not None and self.start_time == self.end_time:
            raise ValueError("start_time equals end_time: leave both out for all day")
        return self


class ElementDocument(_Strict):
    price_components: Annotated[list[PriceComponentDocument], Field(min_length=1)]
    restrictions: RestrictionsDocument | None = None


class PriceDocument(_Strict):
    """OCPI's Price object: each figure given bounds the session's total of that kind."""

    excl_vat: Annotated[Decimal, Field(ge=0, le=MAX_PRICE)] | None = None
    incl_vat: Annotated[Decimal, Field(ge=0, le=MAX_PRICE)] | None = None

    _numbers = field_validator("excl_vat", "incl_vat", mode="before")(
        lambda value: None if value is None else _cents(_decimal(value))
    )

    @model_validator(mode="after")
    def _either(self) -> "PriceDocument":
        if self.excl_vat is None and self.incl_vat is None:
            raise ValueError("give excl_vat, incl_vat or both")
        return self


class TariffDocument(OcpiTimes):
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    owner: str | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "AUD"
    tax_rate: Annotated[Decimal, Field(ge=0, lt=1)] | None = None
    prices_include_vat: bool | None = None
    parking_grace_minutes: Annotated[int, Field(ge=0, le=24 * 60, strict=True)] = 0
    min_price: Decimal | PriceDocument | None = None
    max_price: Decimal | PriceDocument | None = None
    elements: Annotated[list[ElementDocument], Field(min_length=1)]
    id: Annotated[str, Field(min_length=1, max_length=36)] | None = None
    country_code: Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")] | None = None
    party_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9]{3}$")] | None = None
    type: TariffType | None = None
    tariff_alt_text: list[DisplayText] | None = None
    tariff_alt_url: Annotated[str, Field(pattern=r"^https?://\S+$", max_length=255)] | None = None
    energy_mix: EnergyMix | None = None

    _tax = field_validator("tax_rate", mode="before")(
        lambda value: None if value is None else _decimal(value)
    )

    @field_validator("min_price", "max_price", mode="before")
    @classmethod
    def _price(cls, value: Any) -> Any:
        if value is None or isinstance(value, dict):
            return value
        amount = _decimal(value)
        if amount > MAX_PRICE:
            raise ValueError(f"must be at most {MAX_PRICE}, got {amount}")
        return _cents(amount)

    @field_validator("tax_rate")
    @classmethod
    def _tax_places(cls, value: Decimal | None) -> Decimal | None:
        return None if value is None else _at_most_places(value, 4)

    @property
    def title(self) -> str:
        """The tariff's name: `name`, else OCPI's `id`."""
        title = self.name or self.id
        assert title is not None  # parse_tariff_document refuses a document without either
        return title

    @property
    def includes_vat(self) -> bool:
        """Whether prices are VAT-inclusive (our form) or exclusive (OCPI's)."""
        if self.prices_include_vat is not None:
            return self.prices_include_vat
        return self.last_updated is None

    @property
    def rate(self) -> Decimal:
        """The VAT share of components without their own `vat`: tax_rate in our form (0.10
        by default); none in OCPI's, where an omitted `vat` means no VAT applies."""
        if self.tax_rate is not None:
            return self.tax_rate
        return DEFAULT_TAX_RATE if self.includes_vat else Decimal(0)

    def _bound(self, value: Decimal | PriceDocument | None, key: str) -> Decimal | None:
        if isinstance(value, PriceDocument):
            return value.incl_vat if key == "incl_vat" else value.excl_vat
        if value is None or (key == "incl_vat") != self.includes_vat:
            return None
        return value

    @property
    def minimum(self) -> Decimal | None:
        """min_price including VAT, when the document gives it."""
        return self._bound(self.min_price, "incl_vat")

    @property
    def maximum(self) -> Decimal | None:
        return self._bound(self.max_price, "incl_vat")

    @property
    def minimum_excl_vat(self) -> Decimal | None:
        return self._bound(self.min_price, "excl_vat")

    @property
    def maximum_excl_vat(self) -> Decimal | None:
        return self._bound(self.max_price, "excl_vat")

    def stored_elements(self) -> list[dict[str, Any]]:
        """The elements as stored on the tariff row and read by TariffSpec.from_document:
        prices VAT-inclusive and exact, each component with its VAT rate when it has one."""
        return self.spec().snapshot()["elements"]

    def _internal_elements(self) -> list[dict[str, Any]]:
        elements = []
        for element in self.elements:
            doc = element.model_dump(exclude_none=True, mode="json")
            if not self.includes_vat:
                for component, given in zip(
                    doc["price_components"], element.price_components, strict=True
                ):
                    vat = given.vat if given.vat is not None else Decimal(0)
                    component["price"] = str(given.price * (1 + vat / 100))
                    component["vat"] = str(vat)
            elements.append(doc)
        return elements

    def spec(self) -> TariffSpec:
        return TariffSpec.from_document(
            self._internal_elements(),
            currency=self.currency,
            tax_rate=self.rate,
            parking_grace_minutes=self.parking_grace_minutes,
            min_price=_price_object(self.minimum, self.minimum_excl_vat),
            max_price=_price_object(self.maximum, self.maximum_excl_vat),
        )

    def kept(self) -> dict[str, Any]:
        """The document as given (no defaults added), validated and JSON-safe: what is stored
        and served."""
        return self.model_dump(mode="json", exclude_none=True, exclude_unset=True)


def _price_object(incl: Decimal | None, excl: Decimal | None) -> dict[str, Decimal] | None:
    if incl is None and excl is None:
        return None
    out = {}
    if incl is not None:
        out["incl_vat"] = incl
    if excl is not None:
        out["excl_vat"] = excl
    return out


class TariffDocumentError(ValueError):
    """A tariff document that does not validate; `problems` are `path: message` lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _path(location: tuple[int | str, ...]) -> str:
    out = ""
    for part in location:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after", "function-before") or "[" in part:
            continue  # pydantic's internal validator frames, not fields
        else:
            out += f".{part}" if out else part
    return out or "(document)"


def _cross_field_problems(doc: TariffDocument) -> list[str]:
    problems = []
    if doc.name is None and doc.id is None:
        problems.append(NAME_MISSING)
    for suffix, low, high in (
        ("", doc.minimum, doc.maximum),
        (".excl_vat", doc.minimum_excl_vat, doc.maximum_excl_vat),
    ):
        for label, value in (("min_price", low), ("max_price", high)):
            if value is not None and value < 0:
                problems.append(f"{label}{suffix}: must not be negative, got {value}")
            elif value is not None and value != round_money(value):
                problems.append(f"{label}{suffix}: must be whole cents, got {value}")
        if low is not None and high is not None and low > high:
            problems.append(f"min_price{suffix}: {low} exceeds max_price {high}")
    start, end = doc.start_date_time, doc.end_date_time
    if start is not None and end is not None and not start < end:
        problems.append(f"end_date_time: must be after start_date_time ({start.isoformat()})")
    for i, element in enumerate(doc.elements):
        r = element.restrictions
        if r is None or r.reservation is None:
            continue
        for j, component in enumerate(element.price_components):
            if component.type not in ("TIME", "FLAT"):
                problems.append(
                    f"elements[{i}].price_components[{j}].type: a reservation element has only "
                    f"TIME and FLAT components, got {component.type}"
                )
    return problems


def _message(issue: Any) -> str:
    kind = issue["type"]
    if kind == "extra_forbidden":
        return "is not a tariff field"
    if kind == "literal_error" and issue["loc"][-2:-1] == ("day_of_week",):
        return f"must be one of {', '.join(DAYS_OF_WEEK)}"
    message = str(issue["msg"]).removeprefix("Value error, ")
    value = issue.get("input")
    if (
        kind != "missing"
        and isinstance(value, str | int | float | Decimal)
        and "got" not in message
    ):
        message += f", got {value}" if isinstance(value, Decimal) else f", got {value!r}"
    return message


def parse_tariff_document(data: Any) -> TariffDocument:
    """Validate an OCPI-style tariff document, or raise TariffDocumentError listing every
    problem as `path: message`."""
    if not isinstance(data, dict):
        raise TariffDocumentError(["(document): must be a JSON object"])
    try:
        doc = TariffDocument.model_validate(data)
    except ValidationError as error:
        problems = [
            f"{_path(issue['loc'])}: {_message(issue)}" for issue in error.errors(include_url=False)
        ]
        if data.get("name") is None and data.get("id") is None:
            problems.insert(0, NAME_MISSING)
        raise TariffDocumentError(problems) from None
    problems = _cross_field_problems(doc)
    if problems:
        raise TariffDocumentError(problems)
    return doc


def document_of(name: str, owner: str | None, spec: TariffSpec) -> dict[str, Any]:
    """The document form of a stored tariff (what `tariffs show --json` prints)."""
    snapshot = spec.snapshot()
    doc: dict[str, Any] = {"name": name}
    if owner is not None:
        doc["owner"] = owner
    doc.update(
        currency=snapshot["currency"],
        tax_rate=snapshot["tax_rate"],
        parking_grace_minutes=snapshot["parking_grace_minutes"],
    )
    for key in ("min_price", "max_price"):
        if key in snapshot:
            doc[key] = snapshot[key]
    doc["elements"] = snapshot["elements"]
    return doc
