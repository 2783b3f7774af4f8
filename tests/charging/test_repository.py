"""On PostgreSQL a page is located inside its own statement (`locate_in_database`); it must
give what the two-step path (day counts, `locate_page`, then the page) gives, at any depth."""

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from fleetcharge.charging import service
from fleetcharge.db import unit_of_work
from fleetcharge.kit.paging import parse_list_params
from tests import factories as f
from tests.api.helpers import set_page_size

PAGE_SIZE = 5
# Uneven UTC days, some sessions close to UTC midnight (another local day in Sydney).
SESSIONS_PER_DAY = (3, 7, 1, 5, 6)
FIRST_DAY = datetime(2024, 3, 4, tzinfo=UTC)
TOTAL = sum(SESSIONS_PER_DAY)
LAST_PAGE = -(-TOTAL // PAGE_SIZE)

PAGES = ("1", "2", "3", str(LAST_PAGE), str(LAST_PAGE + 1), "999999999999")
BOUNDS = (
    (None, None),
    ("2024-03-06", None),
    (None, "2024-03-06"),
    ("2024-03-05", "2024-03-07"),
    ("2030-01-01", None),
)


def _rendered(page: tuple[int, Any]) -> tuple[int, Any]:
    total, items = page
    return total, orjson.loads(orjson.dumps(items))


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_one_statement_agrees_with_two_steps(engine, monkeypatch):
    set_page_size(monkeypatch, PAGE_SIZE)
    with unit_of_work(engine) as db:
        host = f.organisation(db, "Cybertron")
        fleet_org = f.organisation(db, "Decepticons")
        vehicle = f.vehicle(db, f.fleet(db, fleet_org, "Strike Force"), id_tags=("JETFIRE",))
        site = f.site(db, host, "Australia/Sydney")
        drivers = [f.driver(db, vehicle), f.driver(db, None)]
        for day, count in enumerate(SESSIONS_PER_DAY):
            for i in range(count):
                stop = FIRST_DAY + timedelta(days=day, hours=10 + 3 * i, minutes=i)
                f.charge(db, site, drivers[0], stop)
                f.charge(db, site, drivers[1], stop + timedelta(seconds=1))

    one_statement = []
    counted_page_json = service.counted_page_json

    def counted(*shape: Any) -> Any:
        one_statement.append(shape)
        return counted_page_json(*shape)

    monkeypatch.setattr(service, "counted_page_json", counted)
    renders = {
        "usage": lambda db, params: service.usage_page(db, fleet_org.id, params),
        "sessions": lambda db, params: service.site_host_page(db, host.id, params, "Net"),
    }
    with unit_of_work(engine) as db:
        for name, render in renders.items():
            for date_from, date_to in BOUNDS:
                for page in PAGES:
                    params = parse_list_params(page, date_from, date_to)
                    located = _rendered(render(db, params))
                    with monkeypatch.context() as two_steps:
                        two_steps.setattr(service, "locates_in_database", lambda _shape: False)
                        stepped = _rendered(render(db, params))
                    assert located == stepped, (name, page, date_from, date_to)

            everything = _rendered(render(db, parse_list_params("1")))
            assert everything[0] == TOTAL * (2 if name == "sessions" else 1)
            assert len(everything[1]) == PAGE_SIZE
    assert len(one_statement) == len(renders) * len(BOUNDS) * len(PAGES) + len(renders)
