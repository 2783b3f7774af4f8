"""Tenant isolation over random networks: each token sees exactly its organisation's
records on every endpoint — no more (no leak), no fewer."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from fleetcharge.models import Vehicle
from fleetcharge.models.token import ENDPOINT_SCOPES
from tests import factories as f
from tests.api.helpers import API, ENDPOINTS, bearer, uuids, walk_all
from tests.api.world import ZONES

ORGS = 3


@dataclass
class Expected:
    secret: str
    fleet_uuids: set[str] = field(default_factory=set)
    records: dict[str, set[str]] = field(
        default_factory=lambda: {endpoint: set() for endpoint in ENDPOINTS}
    )


NETWORK = st.fixed_dictionaries(
    {
        # Per organisation: fleets (each a number of vehicles) and sites (time zones).
        "fleets": st.lists(
            st.lists(st.lists(st.integers(0, 2), max_size=3), max_size=2),
            min_size=ORGS,
            max_size=ORGS,
        ),
        "sites": st.lists(
            st.lists(st.sampled_from(ZONES), max_size=2), min_size=ORGS, max_size=ORGS
        ),
        # (vehicle index or None for a public driver, site index, day, minute)
        "sessions": st.lists(
            st.tuples(
                st.none() | st.integers(0, 20),
                st.integers(0, 20),
                st.integers(0, 60),
                st.integers(0, 1439),
            ),
            max_size=20,
        ),
        # (organisation, status, month)
        "invoices": st.lists(
            st.tuples(
                st.integers(0, ORGS - 1),
                st.sampled_from(["draft", "approved", "paid", "void"]),
                st.integers(1, 12),
            ),
            max_size=6,
            unique_by=lambda t: (t[0], t[2]),
        ),
    }
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(network=NETWORK)
def test_no_token_sees_another_organisations_records(
    client: TestClient, engine: Engine, small_pages: int, network: dict
) -> None:
    expected: list[Expected] = []
    with unit_of_work(engine) as db:
        orgs = [f.organisation(db) for _ in range(ORGS)]
        vehicles: list[tuple[int, Vehicle]] = []
        sites: list[tuple[int, f.Site]] = []
        for org, fleets, zones in zip(orgs, network["fleets"], network["sites"], strict=True):
            e = Expected(f.token(db, org, ENDPOINT_SCOPES))
            expected.append(e)
            for vehicle_specs in fleets:
                fl = f.fleet(db, org)
                e.fleet_uuids.add(str(fl.uuid))
                for cards in vehicle_specs:
                    v = f.vehicle(
                        db, fl, id_tags=tuple(f"T{v}-{fl.id}-{len(vehicles)}" for v in range(cards))
                    )
                    vehicles.append((orgs.index(org), v))
                    e.records["vehicles"].add(str(v.uuid))
            for zone in zones:
                sites.append((orgs.index(org), f.site(db, org, zone)))
        for vehicle_index, site_index, day, minute in network["sessions"]:
            if not sites:
                break
            host, site = sites[site_index % len(sites)]
            payer, vehicle = (None, None)
            if vehicle_index is not None and vehicles:
                payer, vehicle = vehicles[vehicle_index % len(vehicles)]
            stop = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=day, minutes=minute)
            session = f.charge(db, site, f.driver(db, vehicle, id_tag="PUBLIC"), stop)
            expected[host].records["sessions"].add(str(session.uuid))
            if payer is not None:
                expected[payer].records["usage"].add(str(session.uuid))
        for org_index, status, month in network["invoices"]:
            inv = f.invoice(db, orgs[org_index], status=status, invoice_date=date(2024, month, 28))
            if status != "draft":
                expected[org_index].records["invoices"].add(str(inv.uuid))

    for mine in expected:
        for endpoint in ENDPOINTS:
            total, items = walk_all(client, endpoint, mine.secret, page_size=small_pages)
            assert set(uuids(items)) == mine.records[endpoint], endpoint
            assert total == len(mine.records[endpoint])
            if endpoint in ("usage", "vehicles"):
                assert {item["customer"]["uuid"] for item in items} <= mine.fleet_uuids
        # Filters never widen the view.
        for endpoint in ("usage", "sessions", "invoices"):
            _, items = walk_all(
                client,
                endpoint,
                mine.secret,
                {"date_from": "2024-01-01", "date_to": "2024-12-31"},
                page_size=small_pages,
            )
            assert set(uuids(items)) <= mine.records[endpoint]


def test_a_token_cannot_reach_records_by_guessing_parameters(
    client: TestClient, engine: Engine
) -> None:
    with unit_of_work(engine) as db:
        mine, theirs = f.organisation(db), f.organisation(db)
        v = f.vehicle(db, f.fleet(db, theirs))
        f.charge(db, f.site(db, theirs), f.driver(db, v), datetime(2024, 5, 1, tzinfo=UTC))
        f.invoice(db, theirs)
        secret = f.token(db, mine)
        their_org = str(theirs.uuid)
    for endpoint in ENDPOINTS:
        for query in (f"organisation={their_org}", f"org_id={theirs.id}", "organisation_id=1"):
            response = client.get(f"{API}/{endpoint}?{query}", headers=bearer(secret))
            assert response.status_code == 200
            assert response.json()["pagination"] == {"total_entries": 0}
