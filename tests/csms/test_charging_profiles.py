"""Smart Charging through the admin API, frame by frame: SetChargingProfile (each answer,
and a station without Smart Charging), ClearChargingProfile with the specification's
criteria, GetCompositeSchedule; every profile recorded and listed."""

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from fleetcharge.charging_profiles.builders import default_profile, tx_profile
from fleetcharge.db import unit_of_work
from fleetcharge.models import AuditEvent
from tests.admin.helpers import ADMIN
from tests.csms.helpers import FakeClock, Station, connected
from tests.csms.lists_helpers import Lists, expect, lists, reply

__all__ = ["lists"]

TX_PROFILE = {
    "chargingProfileId": 11,
    "transactionId": 42,
    "stackLevel": 1,
    "chargingProfilePurpose": "TxProfile",
    "chargingProfileKind": "Relative",
    "chargingSchedule": {
        "chargingRateUnit": "A",
        "chargingSchedulePeriod": [
            {"startPeriod": 0, "limit": 8.0, "numberPhases": 3},
            {"startPeriod": 1800, "limit": 16.0, "numberPhases": 3},
        ],
    },
}


def _path(lists: Lists, tail: str = "charging-profiles") -> str:
    return f"{ADMIN}/stations/{lists.identity}/{tail}"


def set_profile(
    background: ThreadPoolExecutor,
    client: TestClient,
    lists: Lists,
    profile: dict[str, Any],
    connector: int = 1,
) -> "Any":
    body = {"connectorId": connector, "csChargingProfiles": profile}
    return background.submit(client.post, _path(lists), json=body)


def listed(client: TestClient, lists: Lists, query: str = "") -> list[dict[str, Any]]:
    response = client.get(_path(lists) + query)
    assert response.status_code == 200, response.text
    return list(response.json()["data"])


def call_error(cp: Station, frame: list[Any], code: str) -> None:
    cp.ws.send_text(json.dumps([4, frame[1], code, "no Smart Charging here", {}]))


def test_each_answer_to_set_charging_profile_is_recorded(
    operator: TestClient, lists: Lists, clock: FakeClock, background: ThreadPoolExecutor
) -> None:
    with connected(operator, lists.identity, clock) as cp:
        for status in ("Accepted", "Rejected", "NotSupported"):
            pending = set_profile(background, operator, lists, TX_PROFILE)
            frame = expect(
                cp,
                "SetChargingProfile",
                {"connectorId": 1, "csChargingProfiles": TX_PROFILE},
            )
            reply(cp, frame, {"status": status})
            response: httpx.Response = pending.result(timeout=10)
            assert response.status_code == 200, response.text
            answered = response.json()
            assert answered["status"] == status
            assert answered["answer"] == {"status": status}
            stored = answered["charging_profile"]
            assert stored == {
                "uuid": stored["uuid"],
                "connector_id": 1,
                "charging_profile_id": 11,
                "purpose": "TxProfile",
                "stack_level": 1,
                "transaction_id": 42,
                "unit": "A",
                "source": "operator",
                "status": status,
                "sent_at": clock.at.isoformat(),
                "cleared_at": None,
                "profile": TX_PROFILE,
            }
    assert [p["status"] for p in listed(operator, lists)] == [
        "NotSupported",
        "Rejected",
        "Accepted",
    ]
    assert [p["status"] for p in listed(operator, lists, "?installed=true")] == ["Accepted"]


def test_a_station_without_smart_charging_is_recorded_not_supported(
    operator: TestClient,
    lists: Lists,
    clock: FakeClock,
    background: ThreadPoolExecutor,
    engine: Engine,
) -> None:
    with connected(operator, lists.identity, clock) as cp:
        for code in ("NotSupported", "NotImplemented"):
            pending = set_profile(background, operator, lists, TX_PROFILE)
            frame = expect(
                cp, "SetChargingProfile", {"connectorId": 1, "csChargingProfiles": TX_PROFILE}
            )
            call_error(cp, frame, code)
            response = pending.result(timeout=10)
            assert response.status_code == 200, response.text
            assert response.json()["status"] == "NotSupported"
            assert response.json()["answer"] is None
        pending = set_profile(background, operator, lists, TX_PROFILE)
        frame = expect(
            cp, "SetChargingProfile", {"connectorId": 1, "csChargingProfiles": TX_PROFILE}
        )
        call_error(cp, frame, "InternalError")  # any other CallError: the command's 502
        response = pending.result(timeout=10)
        assert response.status_code == 502, response.text
        assert response.json()["error"]["code"] == "station_error"
    statuses = [p["status"] for p in listed(operator, lists)]
    assert statuses == ["Rejected", "NotSupported", "NotSupported"]
    with unit_of_work(engine) as db:
        actions = db.scalars(
            select(AuditEvent.action).where(AuditEvent.resource == "charging_profile")
        )
        assert list(actions) == ["set_profile"] * 3


def test_an_offline_station_is_404_and_recorded_offline(operator: TestClient, lists: Lists) -> None:
    body = {"connectorId": 1, "csChargingProfiles": TX_PROFILE}
    response = operator.post(_path(lists), json=body)
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"] == "station_not_connected"
    assert [p["status"] for p in listed(operator, lists)] == ["Offline"]


def test_profiles_the_specification_forbids_are_400_naming_the_field(
    operator: TestClient, lists: Lists
) -> None:
    cases = [
        ({"connectorId": 0, "csChargingProfiles": TX_PROFILE}, "connectorId"),
        (
            {"connectorId": 1, "csChargingProfiles": {**TX_PROFILE, "stackLevel": -1}},
            "csChargingProfiles.stackLevel",
        ),
        (
            {
                "connectorId": 2,
                "csChargingProfiles": {
                    **TX_PROFILE,
                    "chargingProfilePurpose": "ChargePointMaxProfile",
                },
            },
            "connectorId",
        ),
        ({"connectorId": -1, "csChargingProfiles": TX_PROFILE}, "connectorId"),
    ]
    for body, field in cases:
        response = operator.post(_path(lists), json=body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["error"]["field"] == field, response.text
    assert listed(operator, lists) == []


def test_clear_sends_the_criteria_and_marks_what_it_removed(
    operator: TestClient, lists: Lists, clock: FakeClock, background: ThreadPoolExecutor
) -> None:
    default = default_profile(
        profile_id=5, stack_level=0, periods_w=[(0, 7360)], unit="A", phases=1
    )
    with connected(operator, lists.identity, clock) as cp:
        for profile, connector in ((TX_PROFILE, 1), (default, 0)):
            pending = set_profile(background, operator, lists, profile, connector)
            frame = expect(
                cp,
                "SetChargingProfile",
                {"connectorId": connector, "csChargingProfiles": profile},
            )
            reply(cp, frame, {"status": "Accepted"})
            assert pending.result(timeout=10).status_code == 200
        criteria = {"connectorId": 0, "chargingProfilePurpose": "TxDefaultProfile"}
        pending = background.submit(operator.request, "DELETE", _path(lists), json=criteria)
        frame = expect(cp, "ClearChargingProfile", criteria)
        reply(cp, frame, {"status": "Accepted"})
        response = pending.result(timeout=10)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "Accepted"
        assert [p["charging_profile_id"] for p in response.json()["cleared"]] == [5]
        pending = background.submit(operator.request, "DELETE", _path(lists), json={"id": 11})
        frame = expect(cp, "ClearChargingProfile", {"id": 11})
        reply(cp, frame, {"status": "Unknown"})
        assert pending.result(timeout=10).json()["cleared"] == []
    installed = listed(operator, lists, "?installed=true")
    assert [p["charging_profile_id"] for p in installed] == [11]
    assert default["chargingSchedule"]["chargingSchedulePeriod"] == [
        {"startPeriod": 0, "limit": 32.0, "numberPhases": 1}
    ]


def test_composite_schedule_is_asked_and_answered_as_given(
    operator: TestClient, lists: Lists, clock: FakeClock, background: ThreadPoolExecutor
) -> None:
    answer = {
        "status": "Accepted",
        "connectorId": 1,
        "scheduleStart": "2026-12-04T10:00:00Z",
        "chargingSchedule": {
            "duration": 3600,
            "chargingRateUnit": "W",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 5520.0}],
        },
    }
    with connected(operator, lists.identity, clock) as cp:
        url = _path(lists, "composite-schedule?connector_id=1&duration=3600&unit=W")
        pending = background.submit(operator.get, url)
        frame = expect(
            cp,
            "GetCompositeSchedule",
            {"connectorId": 1, "duration": 3600, "chargingRateUnit": "W"},
        )
        reply(cp, frame, answer)
        response = pending.result(timeout=10)
        assert response.status_code == 200, response.text
        assert response.json()["answer"] == answer
    for query, parameter in (
        ("connector_id=1&duration=0", "duration"),
        ("duration=60", "connector_id"),
    ):
        response = operator.get(_path(lists, f"composite-schedule?{query}"))
        assert response.status_code == 400, response.text
        assert response.json()["error"]["parameter"] == parameter


def test_a_built_tx_profile_goes_out_as_built() -> None:
    assert (
        tx_profile(
            profile_id=11,
            transaction_id=42,
            stack_level=1,
            periods_w=[(0, 5520), (1800, 11040)],
            unit="A",
            phases=3,
        )
        == TX_PROFILE
    )
