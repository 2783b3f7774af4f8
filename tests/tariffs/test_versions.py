"""Tariff versions: new prices published ahead of time take effect on their date; a session
is priced by the version in force at its start, even across the change; what was published
or recorded is never changed; validity dates and the tariff type choose among tariffs."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from fleetcharge.db import unit_of_work
from fleetcharge.errors import InvalidField
from fleetcharge.models import TariffOverride, TariffVersion
from fleetcharge.pricing.engine import price
from fleetcharge.pricing.schemas import Timeline
from fleetcharge.tariffs.repository import UNPRICED, applicable_tariff
from fleetcharge.tariffs.schemas import parse_tariff_document
from fleetcharge.tariffs.service import create_tariff, tariff_history
from fleetcharge.tariffs.versions import in_force, publish
from tests import factories as f

SYDNEY = ZoneInfo("Australia/Sydney")
# The new prices take effect at midnight, Sydney time, on 1 July 2026.
MIDNIGHT = datetime(2026, 7, 1, tzinfo=SYDNEY)
PUBLISHED_AT = datetime(2026, 6, 20, 9, tzinfo=UTC)


def energy(price_: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": "Depot DC",
        "elements": [{"price_components": [{"type": "ENERGY", "price": price_}]}],
        **extra,
    }


def one_hour(start: datetime, kwh: str = "20") -> Timeline:
    return Timeline(start, start + timedelta(hours=1), start + timedelta(hours=1), Decimal(kwh))


def test_a_price_change_at_midnight_leaves_sessions_crossing_it_at_the_old_price(
    engine: Engine,
) -> None:
    with unit_of_work(engine) as db:
        tariff = create_tariff(db, parse_tariff_document(energy("0.40")))
        site = f.site(db, f.organisation(db), t=tariff)
        new = parse_tariff_document(energy("0.50", start_date_time=MIDNIGHT.isoformat()))
        version = publish(db, tariff, new, PUBLISHED_AT)
        assert version.number == 2 and version.valid_from == MIDNIGHT

        def cost(start: datetime) -> Decimal:
            applied = applicable_tariff(db, site.station, None, start)
            return price(applied.spec, one_hour(start)).amount

        # 23:30 to 00:30 crosses the change: priced by the version in force at its start.
        assert cost(MIDNIGHT - timedelta(minutes=30)) == Decimal("8.00")
        assert cost(MIDNIGHT - timedelta(seconds=1)) == Decimal("8.00")
        assert cost(MIDNIGHT) == Decimal("10.00")
        assert cost(MIDNIGHT + timedelta(minutes=10)) == Decimal("10.00")
        # Version 1, as created, is untouched.
        assert tariff.elements[0]["price_components"][0]["price"] == "0.40"
        history = tariff_history(db, tariff)
        assert [(h["version"], h["valid_from"]) for h in history] == [
            (1, None),
            (2, MIDNIGHT.astimezone(UTC).isoformat()),
        ]


def test_publishing_is_refused_in_the_past_out_of_order_or_renamed(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        tariff = create_tariff(db, parse_tariff_document(energy("0.40")))
        later = MIDNIGHT + timedelta(days=30)
        publish(
            db,
            tariff,
            parse_tariff_document(energy("0.50", start_date_time=later.isoformat())),
            PUBLISHED_AT,
        )
        cases = [
            (energy("0.60"), "start_date_time"),  # no start
            (energy("0.60", start_date_time="2026-06-01T00:00:00Z"), "start_date_time"),  # past
            (energy("0.60", start_date_time=MIDNIGHT.isoformat()), "start_date_time"),  # before v2
            ({**energy("0.60", start_date_time="2027-01-01T00:00:00Z"), "name": "Other"}, "name"),
        ]
        for document, field in cases:
            with pytest.raises(InvalidField) as caught:
                publish(db, tariff, parse_tariff_document(document), PUBLISHED_AT)
            assert caught.value.field == field, document
        assert len(db.scalars(select(TariffVersion)).all()) == 1


def test_validity_dates_bound_a_tariff(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        document = energy(
            "0.40",
            start_date_time="2026-01-01T00:00:00Z",
            end_date_time="2026-12-31T13:00:00Z",
        )
        tariff = create_tariff(db, parse_tariff_document(document))
        site = f.site(db, f.organisation(db), t=tariff)
        inside = datetime(2026, 6, 1, tzinfo=UTC)
        assert in_force(db, tariff, inside) is tariff
        for outside in (datetime(2025, 12, 31, tzinfo=UTC), datetime(2026, 12, 31, 13, tzinfo=UTC)):
            assert in_force(db, tariff, outside) is None
            assert applicable_tariff(db, site.station, None, outside).spec is UNPRICED
        assert applicable_tariff(db, site.station, None, inside).tariff_id == tariff.id


@pytest.mark.parametrize(
    ("override_type", "card_session_gets_override"),
    [(None, True), ("REGULAR", True), ("AD_HOC_PAYMENT", False), ("PROFILE_GREEN", False)],
)
def test_the_tariff_type_chooses_between_override_and_default(
    engine: Engine, override_type: str | None, card_session_gets_override: bool
) -> None:
    with unit_of_work(engine) as db:
        host = f.organisation(db)
        site = f.site(db, host)
        extra = {} if override_type is None else {"type": override_type}
        staff = create_tariff(db, parse_tariff_document(energy("0.00", **extra)))
        db.add(
            TariffOverride(
                organisation_id=host.id, location_id=site.location.id, tariff_id=staff.id
            )
        )
        db.flush()
        chosen = applicable_tariff(db, site.station, host.id, PUBLISHED_AT).tariff_id
        assert chosen == (staff.id if card_session_gets_override else site.tariff.id)
        # An ad hoc session (no paying organisation) never gets an organisation's override.
        assert applicable_tariff(db, site.station, None, PUBLISHED_AT).tariff_id == site.tariff.id


def test_a_station_default_applies_whatever_its_type(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        ad_hoc = create_tariff(db, parse_tariff_document(energy("0.70", type="AD_HOC_PAYMENT")))
        site = f.site(db, f.organisation(db), t=ad_hoc)
        applied = applicable_tariff(db, site.station, f.organisation(db).id, PUBLISHED_AT)
        assert applied.tariff_id == ad_hoc.id  # a type never makes charging free
