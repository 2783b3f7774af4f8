"""An organisation's billing settings: its ABN, the fees it pays and the time zone its
months use.

All fees are GST-inclusive. The network fee is charged per kWh on sessions at the stations
an organisation hosts; it is applied when a session is recorded, so a change affects
sessions from then on, never those already recorded.
"""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from fleetcharge.abn import parse_abn
from fleetcharge.errors import InvalidParameter
from fleetcharge.models import Organisation
from fleetcharge.timezones import zone


@dataclass(frozen=True)
class BillingSettings:
    network_fee_per_kwh: Decimal | None = None
    vehicle_fee: Decimal | None = None
    station_subscription_fee: Decimal | None = None
    billing_timezone: str | None = None
    abn: str | None = None


# Far above any real fee, and within what the columns hold.
MAX_FEE = Decimal(1_000_000)
# field -> (decimal places allowed, human name)
_FEES = {
    "network_fee_per_kwh": (4, "network fee per kWh"),
    "vehicle_fee": (2, "vehicle fee"),
    "station_subscription_fee": (2, "station subscription fee"),
}


def update_billing_settings(
    db: Session, organisation: Organisation, changes: BillingSettings
) -> Organisation:
    for field, (places, label) in _FEES.items():
        value: Decimal | None = getattr(changes, field)
        if value is None:
            continue
        if not value.is_finite() or value < 0:
            raise InvalidParameter(f"the {label} must be a non-negative amount, got {value}")
        if value >= MAX_FEE:
            raise InvalidParameter(f"the {label} must be below {MAX_FEE}, got {value}")
        if value != round(value, places):
            raise InvalidParameter(f"the {label} has at most {places} decimal places, got {value}")
        setattr(organisation, field, value.quantize(Decimal(1).scaleb(-places)))
    if changes.abn is not None:
        organisation.abn = parse_abn(changes.abn)
    if changes.billing_timezone is not None:
        try:
            zone(changes.billing_timezone)
        except (ValueError, KeyError):
            raise InvalidParameter(f"unknown time zone {changes.billing_timezone!r}") from None
        organisation.billing_timezone = changes.billing_timezone
    db.flush()
    return organisation
