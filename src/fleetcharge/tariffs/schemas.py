"""The tariff document operators write: OCPI 2.2.1 Tariff JSON plus our Australian additions.

Differences from OCPI, all deliberate:
- `price`, `min_price` and `max_price` are GST-inclusive (what drivers see); `tax_rate` is
  the GST share as a fraction (default 0.10). A component's OCPI `vat` (percent) is accepted
  when it agrees with `tax_rate`.
- `parking_grace_minutes`: idle minutes before PARKING_TIME is billed.
- `name` (required) and `owner` (an organisation name or UUID, optional).

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

DECIMAL_TEXT = re.compile(r"-?\d+(\.\d+)?")
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
    step_size: Annotated[int, Field(ge=1, le=MAX_STEP, strict=True)] = 1

    _numbers = field_validator("price", "vat", mode="before")(_decimal)

    @field_validator("price")
    @classmethod
    def _price_places(cls, value: Decimal) -> Decimal:
        return _at_most_places(value, 4)


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
    """OCPI's Price object; we bill the GST-inclusive figure."""

    excl_vat: Annotated[Decimal, Field(ge=0, le=MAX_PRICE)] | None = None
    incl_vat: Annotated[Decimal, Field(ge=0, le=MAX_PRICE)]

    _numbers = field_validator("excl_vat", "incl_vat", mode="before")(
        lambda value: None if value is None else _decimal(value)
    )


class TariffDocument(_Strict):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    owner: str | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "AUD"
    tax_rate: Annotated[Decimal, Field(ge=0, lt=1)] = Decimal("0.10")
    parking_grace_minutes: Annotated[int, Field(ge=0, le=24 * 60, strict=True)] = 0
    min_price: Decimal | PriceDocument | None = None
    max_price: Decimal | PriceDocument | None = None
    elements: Annotated[list[ElementDocument], Field(min_length=1)]
    # OCPI identification fields, accepted so an OCPI tariff loads as it is; not used.
    id: str | None = None
    country_code: str | None = None
    party_id: str | None = None
    tariff_alt_text: list[dict[str, Any]] | None = None

    _tax = field_validator("tax_rate", mode="before")(_decimal)

    @field_validator("min_price", "max_price", mode="before")
    @classmethod
    def _price(cls, value: Any) -> Any:
        if value is None or isinstance(value, dict):
            return value
        amount = _decimal(value)
        if amount > MAX_PRICE:
            raise ValueError(f"must be at most {MAX_PRICE}, got {amount}")
        return amount

    @field_validator("tax_rate")
    @classmethod
    def _tax_places(cls, value: Decimal) -> Decimal:
        return _at_most_places(value, 4)

    @property
    def minimum(self) -> Decimal | None:
        return (
            self.min_price.incl_vat if isinstance(self.min_price, PriceDocument) else self.min_price
        )

    @property
    def maximum(self) -> Decimal | None:
        return (
            self.max_price.incl_vat if isinstance(self.max_price, PriceDocument) else self.max_price
        )

    def stored_elements(self) -> list[dict[str, Any]]:
        """The elements as stored on the tariff row and read by TariffSpec.from_document."""
        return self.spec().snapshot()["elements"]

    def spec(self) -> TariffSpec:
        return TariffSpec.from_document(
            [element.model_dump(exclude_none=True, mode="json") for element in self.elements],
            currency=self.currency,
            tax_rate=self.tax_rate,
            parking_grace_minutes=self.parking_grace_minutes,
            min_price=self.minimum,
            max_price=self.maximum,
        )


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
    low, high = doc.minimum, doc.maximum
    for label, value in (("min_price", low), ("max_price", high)):
        if value is not None and value < 0:
            problems.append(f"{label}: must not be negative, got {value}")
        elif value is not None and value != round_money(value):
            problems.append(f"{label}: must be whole cents, got {value}")
    if low is not None and high is not None and low > high:
        problems.append(f"min_price: {low} exceeds max_price {high}")
    percent = doc.tax_rate * 100
    for i, element in enumerate(doc.elements):
        for j, component in enumerate(element.price_components):
            if component.vat is not None and component.vat != percent:
                problems.append(
                    f"elements[{i}].price_components[{j}].vat: {component.vat}% disagrees with "
                    f"tax_rate {doc.tax_rate}; prices are GST-inclusive, one rate per tariff"
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
