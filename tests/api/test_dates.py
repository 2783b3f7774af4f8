"""Date filters match the local calendar date of completion at the station, and
timestamps carry the station's UTC offset: Perth, Adelaide's half hours, Sydney's DST."""

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from tests import factories as f
from tests.api.helpers import get_page, records, uuids


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


class Scene:
    """One organisation that pays for and hosts every session, so both views see them."""

    def __init__(self, engine: Engine, timezone: str, stops: dict[str, tuple[str, int]]) -> None:
        """`stops`: name -> (local stop time with offset, charging minutes)."""
        with unit_of_work(engine) as db:
            org = f.organisation(db)
            site = f.site(db, org, timezone)
            driver = f.driver(db, f.vehicle(db, f.fleet(db, org)))
            self.uuid = {
                name: str(f.charge(db, site, driver, _utc(stop), minutes=minutes).uuid)
                for name, (stop, minutes) in stops.items()
            }
            self.secret = f.token(db, org)

    def listed(self, client: TestClient, endpoint: str, **params: str) -> list[str]:
        names = {uuid: name for name, uuid in self.uuid.items()}
        body = get_page(client, endpoint, self.secret, params)
        return [names[u] for u in uuids(records(body, endpoint))]

    def record(self, client: TestClient, endpoint: str, name: str) -> dict[str, Any]:
        body = get_page(client, endpoint, self.secret)
        (found,) = [s for s in records(body, endpoint) if s["uuid"] == self.uuid[name]]
        return found


ENDPOINTS = ["usage", "sessions"]


def test_local_completion_dates_and_offsets(client: TestClient, engine: Engine) -> None:
    _perth_late_evening_belongs_to_its_local_day(client, engine)
    _adelaide_half_hour_offsets(client, engine)
    _completion_date_not_start_date_decides(client, engine)


def test_sydney_daylight_saving_change_days(client: TestClient, engine: Engine) -> None:
    _sydney_daylight_saving_ends_first_sunday_of_april(client, engine)
    _sydney_daylight_saving_starts_first_sunday_of_october(client, engine)


def _perth_late_evening_belongs_to_its_local_day(client: TestClient, engine: Engine) -> None:
    scene = Scene(
        engine,
        "Australia/Perth",
        {
            "late": ("2025-01-31T23:30:00+08:00", 45),  # 15:30 UTC, 31 January
            "after_midnight": ("2025-02-01T00:30:00+08:00", 30),  # still 31 January in UTC
            "morning": ("2025-02-01T09:00:00+08:00", 30),
        },
    )
    for endpoint in ENDPOINTS:
        _perth(client, scene, endpoint)


def _perth(client: TestClient, scene: Scene, endpoint: str) -> None:
    assert scene.listed(client, endpoint, date_to="2025-01-31") == ["late"]
    assert scene.listed(client, endpoint, date_from="2025-02-01") == ["after_midnight", "morning"]
    assert scene.listed(client, endpoint, date_from="2025-01-31", date_to="2025-01-31") == ["late"]
    assert scene.listed(client, endpoint, date_from="2025-02-01", date_to="2025-02-01") == [
        "after_midnight",
        "morning",
    ]
    late = scene.record(client, endpoint, "late")
    assert late["stop_date_time"] == "2025-01-31T23:30:00+08:00"
    assert late["start_date_time"] == "2025-01-31T22:45:00+08:00"
    assert scene.record(client, endpoint, "after_midnight")["stop_date_time"] == (
        "2025-02-01T00:30:00+08:00"
    )


def _adelaide_half_hour_offsets(client: TestClient, engine: Engine) -> None:
    scene = Scene(
        engine,
        "Australia/Adelaide",
        {
            # Summer, ACDT +10:30: 00:15 local on 15 January is 13:45 UTC on the 14th.
            "summer": ("2024-01-15T00:15:00+10:30", 20),
            "summer_eve": ("2024-01-14T23:59:59+10:30", 20),
            # Winter, ACST +09:30: 00:10 local on 1 July is 14:40 UTC on 30 June.
            "winter": ("2024-07-01T00:10:00+09:30", 20),
            "winter_eve": ("2024-06-30T23:50:00+09:30", 20),
        },
    )
    for endpoint in ENDPOINTS:
        _adelaide(client, scene, endpoint)


def _adelaide(client: TestClient, scene: Scene, endpoint: str) -> None:
    assert scene.record(client, endpoint, "summer")["stop_date_time"] == "2024-01-15T00:15:00+10:30"
    assert scene.record(client, endpoint, "summer")["start_date_time"] == (
        "2024-01-14T23:55:00+10:30"
    )
    assert scene.record(client, endpoint, "winter")["stop_date_time"] == "2024-07-01T00:10:00+09:30"
    assert scene.listed(client, endpoint, date_from="2024-01-15", date_to="2024-01-15") == [
        "summer"
    ]
    assert scene.listed(client, endpoint, date_to="2024-01-14") == ["summer_eve"]
    assert scene.listed(client, endpoint, date_from="2024-07-01") == ["winter"]
    assert scene.listed(client, endpoint, date_from="2024-06-30", date_to="2024-06-30") == [
        "winter_eve"
    ]
    # RFC 3339 instants are compared as instants, inclusive, whatever their offset.
    assert scene.listed(
        client, endpoint, date_from="2024-01-15T00:15:00+10:30", date_to="2024-01-15T00:15:00+10:30"
    ) == ["summer"]
    assert scene.listed(
        client, endpoint, date_from="2024-01-14T13:45:00Z", date_to="2024-06-30T14:20:00Z"
    ) == ["summer", "winter_eve"]
    assert scene.listed(
        client, endpoint, date_from="2024-01-15T00:15:01+10:30", date_to="2024-07-01T00:09:59+09:30"
    ) == ["winter_eve"]


def _sydney_daylight_saving_ends_first_sunday_of_april(client: TestClient, engine: Engine) -> None:
    # 2024-04-07 03:00 AEDT becomes 02:00 AEST: the hour 02:00-02:59 happens twice.
    scene = Scene(
        engine,
        "Australia/Sydney",
        {
            "before": ("2024-04-07T02:59:59+11:00", 30),  # 15:59:59 UTC on the 6th
            "after": ("2024-04-07T02:00:00+10:00", 30),  # one second later
            "across": ("2024-04-07T02:30:00+10:00", 120),  # started 01:30 AEDT
            "saturday": ("2024-04-06T23:59:59+11:00", 10),
        },
    )
    for endpoint in ENDPOINTS:
        _sydney_april(client, scene, endpoint)


def _sydney_april(client: TestClient, scene: Scene, endpoint: str) -> None:
    before = scene.record(client, endpoint, "before")
    after = scene.record(client, endpoint, "after")
    across = scene.record(client, endpoint, "across")
    assert before["stop_date_time"] == "2024-04-07T02:59:59+11:00"
    assert after["stop_date_time"] == "2024-04-07T02:00:00+10:00"
    assert after["start_date_time"] == "2024-04-07T02:30:00+11:00"
    assert across["start_date_time"] == "2024-04-07T01:30:00+11:00"
    assert across["stop_date_time"] == "2024-04-07T02:30:00+10:00"
    assert across["total_time"] == 7200  # two real hours, one hour on the wall clock
    # Ordered by instant, although "after" reads earlier on the wall clock.
    assert scene.listed(client, endpoint) == ["saturday", "before", "after", "across"]
    assert scene.listed(client, endpoint, date_from="2024-04-07", date_to="2024-04-07") == [
        "before",
        "after",
        "across",
    ]
    assert scene.listed(client, endpoint, date_to="2024-04-06") == ["saturday"]
    assert scene.listed(client, endpoint, date_from="2024-04-07T02:00:00+10:00") == [
        "after",
        "across",
    ]


def _sydney_daylight_saving_starts_first_sunday_of_october(
    client: TestClient, engine: Engine
) -> None:
    # 2024-10-06 02:00 AEST becomes 03:00 AEDT: 02:00-02:59 never happens.
    scene = Scene(
        engine,
        "Australia/Sydney",
        {
            "before": ("2024-10-06T01:59:59+10:00", 30),  # 15:59:59 UTC on the 5th
            "after": ("2024-10-06T03:00:00+11:00", 30),  # one second later
            "across": ("2024-10-06T03:30:00+11:00", 60),  # started 01:30 AEST
            "monday": ("2024-10-07T00:00:00+11:00", 10),  # 13:00 UTC on the 6th
        },
    )
    for endpoint in ENDPOINTS:
        _sydney_october(client, scene, endpoint)


def _sydney_october(client: TestClient, scene: Scene, endpoint: str) -> None:
    assert scene.record(client, endpoint, "before")["stop_date_time"] == (
        "2024-10-06T01:59:59+10:00"
    )
    after = scene.record(client, endpoint, "after")
    assert after["stop_date_time"] == "2024-10-06T03:00:00+11:00"
    assert after["start_date_time"] == "2024-10-06T01:30:00+10:00"
    across = scene.record(client, endpoint, "across")
    assert across["start_date_time"] == "2024-10-06T01:30:00+10:00"
    assert across["total_time"] == 3600  # one real hour, two on the wall clock
    assert scene.listed(client, endpoint, date_from="2024-10-06", date_to="2024-10-06") == [
        "before",
        "after",
        "across",
    ]
    assert scene.listed(client, endpoint, date_from="2024-10-07") == ["monday"]
    assert scene.listed(client, endpoint, date_to="2024-10-05") == []


def _completion_date_not_start_date_decides(client: TestClient, engine: Engine) -> None:
    """A session crossing local midnight belongs to the day it completed."""
    scene = Scene(
        engine,
        "Australia/Melbourne",
        {
            "overnight": ("2024-03-01T06:00:00+11:00", 8 * 60),  # started 29 Feb 22:00
        },
    )
    assert scene.listed(client, "usage", date_to="2024-02-29") == []
    assert scene.listed(client, "usage", date_from="2024-03-01", date_to="2024-03-01") == [
        "overnight"
    ]
    assert scene.record(client, "usage", "overnight")["start_date_time"] == (
        "2024-02-29T22:00:00+11:00"
    )
    assert timedelta(seconds=scene.record(client, "usage", "overnight")["total_time"]) == (
        timedelta(hours=8)
    )
