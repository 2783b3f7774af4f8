"""A site host's month (charging.host_figures) adds up to what /sessions lists for it."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from fleetcharge.charging.host_figures import host_month
from fleetcharge.db import unit_of_work
from fleetcharge.errors import NotFound
from fleetcharge.models import Connector
from fleetcharge.permissions import Actor
from tests import factories as f
from tests.api.helpers import API, bearer, make_client

SYDNEY = ZoneInfo("Australia/Sydney")
PERTH = ZoneInfo("Australia/Perth")


def host_member(org_id: int) -> Actor:
    return Actor(name="host", role="site_host", organisation_id=org_id)


def sessions_listed(engine: Engine, token: str, first: str, last: str) -> list[dict]:
    client = make_client(engine)
    found: list[dict] = []
    url: str | None = f"{API}/sessions?date_from={first}&date_to={last}"
    while url:
        body = client.get(url, headers=bearer(token)).json()
        found += body["data"]["sessions"]
        url = body["pagination"].get("next")
    return found


def test_month_figures_equal_sums_over_sessions(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        host, other_host, payer = f.organisation(db), f.organisation(db), f.organisation(db)
        depot = f.site(db, host, "Australia/Sydney")
        west = f.site(db, host, "Australia/Perth")
        second_station, _ = f.station(db, depot.location, "CP-TWO", depot.tariff)
        db.add(Connector(station_id=second_station.id, connector_id=2, name="Port B"))
        elsewhere = f.site(db, other_host)
        fleet_driver = f.driver(db, f.vehicle(db, f.fleet(db, payer)))
        own_driver = f.driver(db, f.vehicle(db, f.fleet(db, host)))  # no revenue to itself
        public = f.driver(db, None)
        stops = [
            (depot, fleet_driver, datetime(2026, 10, 3, 9, 0, tzinfo=SYDNEY), "12.345"),
            (depot, public, datetime(2026, 10, 3, 23, 59, tzinfo=SYDNEY), "7.5"),
            (depot, own_driver, datetime(2026, 10, 20, 14, 0, tzinfo=SYDNEY), "20"),
            (west, public, datetime(2026, 10, 31, 23, 30, tzinfo=PERTH), "3.333"),
            # Local completion on 1 November (UTC still October 31st): not October's.
            (depot, public, datetime(2026, 11, 1, 0, 10, tzinfo=SYDNEY), "9"),
            # Local completion on 30 September.
            (west, fleet_driver, datetime(2026, 9, 30, 23, 0, tzinfo=PERTH), "5"),
            (elsewhere, public, datetime(2026, 10, 10, 12, 0, tzinfo=SYDNEY), "30"),
        ]
        for site, driver, stop, kwh in stops:
            f.charge(db, site, driver, stop.astimezone(UTC), minutes=90, kwh=kwh)
        host_id, token = host.id, f.token(db, host)

    with unit_of_work(engine) as db:
        month = host_month(db, host_member(host_id), host_id, date(2026, 10, 15))
    listed = sessions_listed(engine, token, "2026-10-01", "2026-10-31")
    assert len(listed) == 4
    total = month.total
    assert total.sessions == len(listed)
    assert total.revenue == sum(Decimal(str(s["total_revenue"])) for s in listed)
    assert total.revenue > 0
    assert total.energy_kwh == sum(Decimal(str(s["consumption"])) for s in listed)
    assert len(month.days) == 31 and month.days[0] == date(2026, 10, 1)
    # Per local completion day, per location.
    per_day = {day: tally for day, tally in zip(month.days, month.per_day, strict=True)}
    assert per_day[date(2026, 10, 3)].sessions == 2
    assert per_day[date(2026, 10, 31)].sessions == 1
    assert sum(t.sessions for t in month.per_day) == 4
    names = {loc.name: loc for loc in month.locations}
    assert set(names) == {depot.location.name, west.location.name}
    depot_month = names[depot.location.name]
    # Both stations of the depot are listed, the one without sessions at zero.
    by_station = {s.evse_id: s for s in depot_month.stations}
    assert by_station[depot.station.evse_id].total.sessions == 3
    assert by_station[second_station.evse_id].total.sessions == 0
    assert by_station[second_station.evse_id].connectors == 2
    assert depot_month.total.revenue + names[west.location.name].total.revenue == total.revenue


def test_utilisation_counts_time_in_use_on_each_local_day(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        host = f.organisation(db)
        site = f.site(db, host, "Australia/Sydney")
        public = f.driver(db, None)
        # 23:00 on 31 October to 01:00 on 1 November: an hour of each month.
        f.charge(db, site, public, datetime(2026, 11, 1, 1, 0, tzinfo=SYDNEY), minutes=120)
        # Six hours on 5 October.
        f.charge(db, site, public, datetime(2026, 10, 5, 14, 0, tzinfo=SYDNEY), minutes=360)
        host_id = host.id
    with unit_of_work(engine) as db:
        october = host_month(db, host_member(host_id), host_id, date(2026, 10, 1))
        november = host_month(db, host_member(host_id), host_id, date(2026, 11, 1))
    (station,) = october.locations[0].stations
    assert station.days[4].occupancy.in_use_s == 6 * 3600
    assert station.days[4].utilisation == Decimal("25.0")
    assert station.days[30].occupancy.in_use_s == 3600
    assert station.days[30].sessions == 0  # completed in November
    (later,) = november.locations[0].stations
    assert later.days[0].occupancy.in_use_s == 3600 and later.days[0].sessions == 1
    seconds = sum(d.occupancy.available_s for d in station.days)
    assert seconds == 31 * 86400 - 3600  # daylight saving started on 4 October
    assert october.total.utilisation == (Decimal(7 * 3600 * 100) / Decimal(seconds)).quantize(
        Decimal("0.1")
    )


def test_another_organisations_figures_are_not_found(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        host, other = f.organisation(db), f.organisation(db)
        with pytest.raises(NotFound):
            host_month(db, host_member(other.id), host.id, date(2026, 10, 1))
        staff = Actor(name="ops", role="support")
        empty = host_month(db, staff, host.id, date(2026, 10, 1))
        assert empty.locations == [] and empty.total.revenue == Decimal("0.00")
        assert host_month(db, staff, host.id, date(2026, 2, 1)).days[-1] == date(2026, 2, 28)
