"""The descriptive parts of an OCPI 2.2.1 Tariff, kept and served as given: DisplayText,
EnergyMix (mod_locations), TariffType, and OCPI's DateTime."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

TariffType = Literal["AD_HOC_PAYMENT", "PROFILE_CHEAP", "PROFILE_FAST", "PROFILE_GREEN", "REGULAR"]
TARIFF_TYPES: tuple[str, ...] = (
    "AD_HOC_PAYMENT",
    "PROFILE_CHEAP",
    "PROFILE_FAST",
    "PROFILE_GREEN",
    "REGULAR",
)
EnergySourceCategory = Literal[
    "NUCLEAR", "GENERAL_FOSSIL", "COAL", "GAS", "GENERAL_GREEN", "SOLAR", "WIND", "WATER"
]
EnvironmentalImpactCategory = Literal["NUCLEAR_WASTE", "CARBON_DIOXIDE"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DisplayText(_Strict):
    language: Annotated[str, Field(min_length=2, max_length=2)]
    text: Annotated[str, Field(min_length=1, max_length=512)]


class EnergySource(_Strict):
    source: EnergySourceCategory
    percentage: Annotated[Decimal, Field(ge=0, le=100)]


class EnvironmentalImpact(_Strict):
    category: EnvironmentalImpactCategory
    amount: Annotated[Decimal, Field(ge=0)]  # g/kWh


class EnergyMix(_Strict):
    is_green_energy: bool
    energy_sources: list[EnergySource] | None = None
    environ_impact: list[EnvironmentalImpact] | None = None
    supplier_name: Annotated[str, Field(max_length=64)] | None = None
    energy_product_name: Annotated[str, Field(max_length=64)] | None = None


def ocpi_datetime(value: datetime) -> datetime:
    """OCPI DateTimes are UTC; one written without an offset is read as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class OcpiTimes(_Strict):
    """Validity and last change, as OCPI DateTimes."""

    start_date_time: datetime | None = None
    end_date_time: datetime | None = None
    last_updated: datetime | None = None

    _utc = field_validator("start_date_time", "end_date_time", "last_updated")(
        lambda value: None if value is None else ocpi_datetime(value)
    )
