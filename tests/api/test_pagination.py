"""Paging through /usage and /sessions (and /vehicles, /invoices): every record exactly
once, in order, with exact totals and working `next` links, at 100 a page and, with a
patched page size, over random data against a brute-force computation."""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from fleetcharge.settings import Settings
from tests import factories as f
from tests.api.helpers import (
    bearer,
    get_page,
    make_client,
    records,
    uuids,
    walk_all,
)
from tests.api.world import ZONES, Recorded, expected_sessions

BASE = datetime(2024, 3, 25, tzinfo=UTC)
# Eight sessions, at eight sites in all seven zones, complete at this very instant.
SAME_INSTANT = datetime(2024, 4, 3, 14, 0, tzinfo=UTC)


@dataclass
class Big:
    org_id: int
    secret: str
    recorded: list[Recorded]


def build_big(engine: Engine, n: int = 340, seed: int = 20240325) -> Big:
    """One organisation with two fleets and most sites, a second one, public drivers; n
    sessions over 40 days across all Australian zones (crossing Sydney's DST end)."""
    rng = random.Random(seed)
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        other = f.organisation(db)
        vehicles = [f.vehicle(db, f.fleet(db, org)) for _ in range(2)]
        vehicles += [f.vehicle(db, vehicles[0].fleet)]
        drivers = [f.driver(db, v) for v in vehicles]
        drivers += [f.driver(db, f.vehicle(db, f.fleet(db, other)))]
        drivers += [f.driver(db, id_tag=f"PUBLIC{i}") for i in range(2)]
        sites = [f.site(db, other if i in (1, 5) else org, zone) for i, zone in enumerate(ZONES)]
        sites += [f.site(db, org, zone) for zone in ("Australia/Adelaide", "Australia/Sydney")]
        recorded: list[Recorded] = []

        def charge(site: f.Site, driver: f.Driver, stop: datetime) -> None:
            session = f.charge(db, site, driver, stop, minutes=rng.randrange(1, 90))
            recorded.append(Recorded.of(session, site.location.timezone))

        for i, site in enumerate(sites[:8]):
            charge(site, drivers[i % 3], SAME_INSTANT)
        boundaries = [
            timedelta(hours=h, minutes=m)
            for h, m in ((0, 0), (13, 30), (14, 0), (14, 30), (15, 0), (16, 0), (23, 59))
        ]
        for _ in range(n - 8):
            day = BASE + timedelta(days=rng.randrange(40))
            offset = (
                rng.choice(boundaries)
                if rng.random() < 0.4
                else timedelta(seconds=rng.randrange(86400))
            )
            driver = rng.choice(drivers[:3] * 5 + drivers[3:])
            charge(rng.choice(sites), driver, day + offset)
        secret = f.token(db, org)
        org_id = org.id
    return Big(org_id, secret, recorded)


FILTERS = [
    {},
    {"date_from": "2024-04-01", "date_to": "2024-04-20"},
    {"date_from": "2024-04-07"},
    {"date_to": "2024-04-07"},
    {"date_from": "2024-04-03T14:00:00Z", "date_to": "2024-04-15T00:30:00+10:30"},
    {"date_from": "2024-04-03T14:00:00.000001Z"},
    {"date_from": "2024-04-02", "date_to": "2024-04-10T23:59:59+08:00"},
    {"date_from": "2024-03-30T00:00:00-03:00", "date_to": "2024-04-25"},
    {"date_from": "2024-05-03", "date_to": "2024-05-03"},
    {"date_from": "2025-01-01"},
]


def test_walking_next_yields_every_session_once_in_order(
    client: TestClient, engine: Engine
) -> None:
    big = build_big(engine)
    for endpoint in ("usage", "sessions"):
        _walk_every_filter(client, big, endpoint)


def _walk_every_filter(client: TestClient, big: Big, endpoint: str) -> None:
    everything = expected_sessions(big.recorded, endpoint, big.org_id)
    assert len(everything) > 250  # the data really spans several pages
    # Sessions completing at the same instant keep one order: insertion.
    same = [s.uuid for s in big.recorded if s.stop == SAME_INSTANT]
    same_seen = [u for u in everything if u in same]
    assert len(same_seen) >= 4
    assert same_seen == [u for u in same if u in same_seen]

    for params in FILTERS:
        expected = expected_sessions(big.recorded, endpoint, big.org_id, **params)
        total, items = walk_all(client, endpoint, big.secret, params)
        assert total == len(expected), params
        assert uuids(items) == expected, params
        # Timestamps ascend even though each is rendered in its station's offset.
        stops = [datetime.fromisoformat(item["stop_date_time"]) for item in items]
        assert stops == sorted(stops)
        # A page past the end: empty, with the true total and no `next`.
        last = max(1, -(-total // 100))
        for page in (last + 1, last + 7, 999999999999):
            body = get_page(client, endpoint, big.secret, {**params, "page": str(page)})
            assert body == {"data": {"sessions": []}, "pagination": {"total_entries": total}}

    # A page asked for directly equals the one reached by following `next`.
    expected = expected_sessions(big.recorded, endpoint, big.org_id)
    third = get_page(client, endpoint, big.secret, {"page": "3"})
    assert uuids(records(third, endpoint)) == expected[200:300]
    assert third["pagination"]["total_entries"] == len(expected)


def _eight_sessions_in_may(engine: Engine) -> str:
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        driver = f.driver(db, f.vehicle(db, f.fleet(db, org)))
        site = f.site(db, org)
        for day in range(1, 9):
            f.charge(db, site, driver, datetime(2024, 5, day, tzinfo=UTC))
        return f.token(db, org)


def test_next_link_is_absolute_and_keeps_the_filters(
    client: TestClient, engine: Engine, small_pages: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = _eight_sessions_in_may(engine)
    params = {"date_from": "2024-03-01", "date_to": "2024-06-30", "unknown": "x"}
    first = get_page(client, "usage", secret, params)
    assert first["pagination"] == {
        "total_entries": 8,
        "next": "http://testserver/api/fleets/v1/usage?date_from=2024-03-01&date_to=2024-06-30&page=2",
    }
    second = client.get(first["pagination"]["next"], headers=bearer(secret)).json()
    assert second["pagination"] == {"total_entries": 8}
    assert len(records(second, "usage")) == 3
    # Instants keep their offset through the link (the '+' is percent-encoded).
    first = get_page(client, "usage", secret, {"date_from": "2024-03-01T00:00:00+10:30"})
    assert first["pagination"]["next"] == (
        "http://testserver/api/fleets/v1/usage?date_from=2024-03-01T00%3A00%3A00%2B10%3A30&page=2"
    )
    # Empty filters are absent, not kept; the page number replaces the one asked for.
    first = get_page(client, "usage", secret, {"date_from": "", "page": ""})
    assert first["pagination"]["next"] == "http://testserver/api/fleets/v1/usage?page=2"
    # Every endpoint links the same way (vehicles have no date filters to keep).
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        fl = f.fleet(db, org)
        for month in range(1, 7):
            f.vehicle(db, fl)
            f.invoice(db, org, invoice_date=date(2024, month, 28))
        both = f.token(db, org)
    vehicles = get_page(client, "vehicles", both, {"date_from": "2024-01-01"})
    assert vehicles["pagination"] == {
        "total_entries": 6,
        "next": "http://testserver/api/fleets/v1/vehicles?page=2",
    }
    invoices = get_page(client, "invoices", both, {"date_to": "2024-12-31", "page": "1"})
    assert invoices["pagination"] == {
        "total_entries": 6,
        "next": "http://testserver/api/fleets/v1/invoices?date_to=2024-12-31&page=2",
    }
    # Behind a proxy, FLEETCHARGE_PUBLIC_BASE_URL gives the links their public origin.
    _next_link_uses_the_public_base_url(engine, secret)


def test_vehicles_and_invoices_page_in_their_order(client: TestClient, engine: Engine) -> None:
    rng = random.Random(7)
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        fleets = [f.fleet(db, org) for _ in range(3)]
        vehicles = [
            f.vehicle(
                db,
                rng.choice(fleets),
                id_tags=(),
                effective_from=date(2020, 1, 1) + timedelta(days=rng.randrange(30)),
            )
            for _ in range(230)
        ]
        invoices = [
            f.invoice(
                db,
                org,
                status=rng.choice(["approved", "paid", "void"]),
                kind=kind,
                invoice_date=date(2005 + i // 12, i % 12 + 1, 28),
                lines=(),
            )
            for i in range(70)
            for kind in ("fleet", "site_host", "rcti")
        ]
        for i in range(5):  # drafts are never listed
            f.invoice(db, org, status="draft", kind="fleet", invoice_date=date(2030, i + 1, 28))
        expected_vehicles = [
            str(v.uuid) for v in sorted(vehicles, key=lambda v: (v.effective_from, v.uuid.hex))
        ]
        expected_invoices = [
            str(i.uuid) for i in sorted(invoices, key=lambda i: (i.invoice_date, i.invoice_number))
        ]
        in_2010 = [
            str(i.uuid)
            for i in sorted(invoices, key=lambda i: (i.invoice_date, i.invoice_number))
            if i.invoice_date.year == 2010
        ]
        secret = f.token(db, org)

    total, items = walk_all(client, "vehicles", secret)
    assert (total, uuids(items)) == (230, expected_vehicles)
    total, items = walk_all(client, "invoices", secret)
    assert (total, uuids(items)) == (210, expected_invoices)
    total, items = walk_all(
        client, "invoices", secret, {"date_from": "2010-01-01", "date_to": "2010-12-31"}
    )
    assert (total, uuids(items)) == (30, in_2010)  # ten months of 2010, three kinds
    for endpoint, total in (("vehicles", 230), ("invoices", 210)):
        body = get_page(client, endpoint, secret, {"page": "4"})
        assert body == {"data": {endpoint: []}, "pagination": {"total_entries": total}}


# --- random data, small pages, brute force ------------------------------------------

PAGE = 5  # the `small_pages` fixture
INSTANTS = st.sampled_from(
    [BASE + timedelta(days=d, hours=h) for d in range(4) for h in (0, 13.5, 14, 16, 23.75)]
)
SESSIONS = st.lists(
    st.tuples(
        st.one_of(
            INSTANTS,
            st.datetimes(
                min_value=datetime(2024, 3, 24),
                max_value=datetime(2024, 3, 30),
                timezones=st.just(UTC),
            ),
        ),
        st.integers(0, 3),  # site
        st.integers(0, 2),  # driver: own fleet, other fleet, public
    ),
    max_size=24,
)
DAYS = st.dates(min_value=date(2024, 3, 23), max_value=date(2024, 3, 31)).map(str)
OFFSETS = st.sampled_from(["Z", "+10:30", "+08:00", "-05:00", "+11:00", "+09:30"])
STAMPS = st.builds(
    lambda instant, offset: instant.strftime("%Y-%m-%dT%H:%M:%S") + offset,
    INSTANTS | st.datetimes(min_value=datetime(2024, 3, 24), max_value=datetime(2024, 3, 30)),
    OFFSETS,
)
BOUNDS = st.one_of(st.none(), DAYS, STAMPS)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sessions=SESSIONS,
    zones=st.lists(st.sampled_from(ZONES), min_size=4, max_size=4),
    date_from=BOUNDS,
    date_to=BOUNDS,
    page=st.integers(1, 7),
)
def test_any_page_matches_brute_force(
    client: TestClient,
    engine: Engine,
    small_pages: int,
    sessions: list[tuple[datetime, int, int]],
    zones: list[str],
    date_from: str | None,
    date_to: str | None,
    page: int,
) -> None:
    with unit_of_work(engine) as db:
        org, other = f.organisation(db), f.organisation(db)
        drivers = [
            f.driver(db, f.vehicle(db, f.fleet(db, org))),
            f.driver(db, f.vehicle(db, f.fleet(db, other))),
            f.driver(db, id_tag="PUBLIC"),
        ]
        sites = [f.site(db, org if i < 3 else other, zone) for i, zone in enumerate(zones)]
        recorded = [
            Recorded.of(f.charge(db, sites[s], drivers[d], stop), sites[s].location.timezone)
            for stop, s, d in sessions
        ]
        secret = f.token(db, org)
        org_id = org.id
    params = {k: v for k, v in (("date_from", date_from), ("date_to", date_to)) if v}
    response = client.get(
        "/api/fleets/v1/usage",
        params={**params, "page": str(page)},
        headers={"Authorization": f"Bearer {secret}"},
    )
    if (
        date_from
        and date_to
        and (len(date_from) == 10) == (len(date_to) == 10)
        and (
            datetime.fromisoformat(date_from.replace("Z", "+00:00"))
            > datetime.fromisoformat(date_to.replace("Z", "+00:00"))
            if len(date_from) > 10
            else date_from > date_to
        )
    ):
        assert response.status_code == 400
        assert response.json()["error"]["parameter"] == "date_from"
        return
    for endpoint in ("usage", "sessions"):
        expected = expected_sessions(recorded, endpoint, org_id, date_from, date_to)
        body = get_page(client, endpoint, secret, {**params, "page": str(page)})
        assert body["pagination"]["total_entries"] == len(expected)
        assert uuids(records(body, endpoint)) == expected[(page - 1) * PAGE : page * PAGE]
        assert ("next" in body["pagination"]) == (page * PAGE < len(expected))
        total, items = walk_all(client, endpoint, secret, params, page_size=PAGE)
        assert (total, uuids(items)) == (len(expected), expected)


def _next_link_uses_the_public_base_url(engine: Engine, secret: str) -> None:
    public = Settings(rate_limits_enabled=False, public_base_url="https://fleets.example.com/")
    with make_client(engine, public) as client:
        body = get_page(client, "usage", secret, {"date_to": "2024-05-31"})
    assert body["pagination"] == {
        "total_entries": 8,
        "next": "https://fleets.example.com/api/fleets/v1/usage?date_to=2024-05-31&page=2",
    }
