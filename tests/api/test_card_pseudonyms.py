"""A site host sees the real id tag only of cards its own fleets paid with; other cards are
stable pseudonyms, different for each host, the same from every process and render path."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from fleetcharge.charging import service
from fleetcharge.db import unit_of_work
from fleetcharge.kit.paging import parse_list_params
from fleetcharge.models import Organisation
from tests import factories as f
from tests.api.helpers import API, assert_valid, bearer, get_page, records
from tests.charging.test_records import both_renderings
from tests.servers import running_servers

PSEUDONYM = re.compile(r"anon-[0-9a-f]{20}")
START = datetime(2024, 5, 1, 2, 0, tzinfo=UTC)
NO_LIMITS = {"FLEETCHARGE_RATE_LIMITS_ENABLED": "false"}


@dataclass(frozen=True)
class Hosts:
    host_id: int
    other_host_id: int
    payer_id: int
    host: str  # tokens
    other_host: str
    payer: str


def build_hosts(engine: Engine) -> Hosts:
    """Two hosts; the first's own fleet, another organisation's fleet and a public driver
    charge at the first's site, the other organisation and the first's fleet at the second's."""
    with unit_of_work(engine) as db:
        host, other_host, payer = (f.organisation(db, name) for name in ("Host", "Other", "Payer"))
        own = f.driver(db, f.vehicle(db, f.fleet(db, host), id_tags=("HOST-OWN",)))
        paying = f.driver(db, f.vehicle(db, f.fleet(db, payer), id_tags=("PAY-CARD",)))
        public = f.driver(db, id_tag="PUBLIC-1")
        site, other_site = f.site(db, host), f.site(db, other_host, "Australia/Perth")
        for hour, (where, who) in enumerate(
            [(site, own), (site, paying), (site, public), (other_site, paying), (other_site, own)]
        ):
            f.charge(db, where, who, START + timedelta(hours=hour))
        return Hosts(
            host.id, other_host.id, payer.id, *(f.token(db, o) for o in (host, other_host, payer))
        )


def auth_ids(body: dict[str, Any]) -> list[str]:
    return [s["auth_id"] for s in records(body, "sessions")]


def test_a_host_sees_its_own_cards_and_pseudonyms_of_everyone_elses(
    client: TestClient, engine: Engine
) -> None:
    hosts = build_hosts(engine)
    with unit_of_work(engine) as db:
        seen_by_host = {
            tag: f.pseudonym(db, hosts.host_id, tag) for tag in ("PAY-CARD", "PUBLIC-1")
        }
        seen_by_other = {
            tag: f.pseudonym(db, hosts.other_host_id, tag) for tag in ("PAY-CARD", "HOST-OWN")
        }
    response = client.get(f"{API}/sessions", headers=bearer(hosts.host))
    assert response.status_code == 200
    for tag in (b"PAY-CARD", b"PUBLIC-1"):
        assert tag not in response.content  # nowhere in the body, not only in auth_id
    host_view = get_page(client, "sessions", hosts.host)  # both contracts validated
    assert auth_ids(host_view) == ["HOST-OWN", seen_by_host["PAY-CARD"], seen_by_host["PUBLIC-1"]]
    assert all(PSEUDONYM.fullmatch(seen) for seen in seen_by_host.values())

    # The other host: the same card is another pseudonym; the first host's card is hidden.
    other_view = get_page(client, "sessions", hosts.other_host)
    assert auth_ids(other_view) == [seen_by_other["PAY-CARD"], seen_by_other["HOST-OWN"]]
    assert seen_by_other["PAY-CARD"] != seen_by_host["PAY-CARD"]

    # Stable from page to page and with either kind of date filter (PostgreSQL renders an
    # instant-bounded page with another statement).
    for params in ({}, {"date_from": "2024-05-01"}, {"date_from": "2024-05-01T00:00:00Z"}):
        assert get_page(client, "sessions", hosts.host, params) == host_view

    # Whoever paid sees its own card on /usage, whichever site it charged at.
    usage = records(get_page(client, "usage", hosts.payer), "usage")
    assert [s["auth_id"] for s in usage] == ["PAY-CARD", "PAY-CARD"]


def test_pseudonyms_are_the_same_from_every_process_and_after_a_restart(
    client: TestClient, database_url: str, engine: Engine
) -> None:
    hosts = build_hosts(engine)

    def sessions(base: str, token: str) -> dict[str, Any]:
        response = httpx.get(f"{base}{API}/sessions", headers=bearer(token), timeout=30)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    with running_servers(database_url, NO_LIMITS, count=2) as servers:
        first, second = (
            {token: sessions(server.base, token) for token in (hosts.host, hosts.other_host)}
            for server in servers
        )
    assert first == second
    with running_servers(database_url, NO_LIMITS) as [restarted]:
        assert sessions(restarted.base, hosts.host) == first[hosts.host]
    for token, body in first.items():
        assert_valid(client, "sessions", body)
        assert get_page(client, "sessions", token) == body  # and in this process
    assert auth_ids(first[hosts.host])[0] == "HOST-OWN"
    assert all(PSEUDONYM.fullmatch(tag) for tag in auth_ids(first[hosts.other_host]))


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgresql_renders_the_pseudonyms_python_computes(engine: Engine, monkeypatch) -> None:
    hosts = build_hosts(engine)
    with unit_of_work(engine) as db:
        host = db.get(Organisation, hosts.host_id)
        assert host is not None
        # Id tags stations may send that no card has: non-ASCII, a colon, the longest.
        site = f.site(db, host)
        for n, tag in enumerate(("KÄRTE-ß€", "12:PAY-CARD", "X" * 64)):
            f.charge(db, site, f.driver(db, id_tag=tag), START + timedelta(days=1, hours=n))
    params = parse_list_params(None)
    shown: dict[int, list[str]] = {}
    with unit_of_work(engine) as db:
        for organisation_id in (hosts.host_id, hosts.other_host_id):
            database, python = both_renderings(
                monkeypatch,
                lambda org=organisation_id: service.site_host_page(db, org, params, "Net"),
            )
            monkeypatch.undo()
            assert database == python
            shown[organisation_id] = [s["auth_id"] for s in database]
    assert shown[hosts.host_id][0] == "HOST-OWN"
    assert all(PSEUDONYM.fullmatch(tag) for tag in shown[hosts.host_id][1:])
    assert len(set(shown[hosts.host_id])) == 6
    assert all(PSEUDONYM.fullmatch(tag) for tag in shown[hosts.other_host_id])
