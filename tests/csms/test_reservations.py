"""Reservations: ReserveNow and CancelReservation frame by frame through the admin API, each
answer recorded; used by the StartTransaction naming it; expired; refused when they cannot
be made."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from fleetcharge.db import unit_of_work
from fleetcharge.models import AuditEvent, OcppTransaction
from fleetcharge.models import Station as StationRow
from tests import factories as f
from tests.admin.helpers import ADMIN, account
from tests.csms.conftest import operator_headers
from tests.csms.helpers import FakeClock, Station, connected, iso, receive_frame
from tests.csms.lists_helpers import Lists, expect, lists, post, reply

__all__ = ["lists"]


def reserve(
    background: ThreadPoolExecutor, client: TestClient, lists: Lists, body: dict[str, Any]
) -> Any:
    return post(background, client, f"/stations/{lists.identity}/reservations", body)


def body(clock: FakeClock, tag: str = "HOST-A", connector: int = 1, **extra: Any) -> dict[str, Any]:
    until = clock.at + timedelta(minutes=30)
    return {"connectorId": connector, "idTag": tag, "expiryDate": iso(until), **extra}


def reserve_now(clock: FakeClock, reservation_id: int, tag: str = "HOST-A") -> dict[str, Any]:
    return {
        "connectorId": 1,
        "expiryDate": (clock.at + timedelta(minutes=30)).isoformat(),
        "idTag": tag,
        "reservationId": reservation_id,
    }


def reserved(
    cp: Station, background: ThreadPoolExecutor, client: TestClient, lists: Lists, clock: FakeClock
) -> dict[str, Any]:
    """A reservation of connector 1 for HOST-A the station accepts."""
    pending = reserve(background, client, lists, body(clock))
    frame = receive_call(cp, "ReserveNow")
    reply(cp, frame, {"status": "Accepted"})
    response = pending.result(timeout=10)
    assert response.status_code == 200, response.text
    return dict(response.json()["reservation"])


def receive_call(cp: Station, action: str) -> list[Any]:
    frame = receive_frame(cp.ws)
    assert frame[0] == 2 and frame[2] == action, frame
    return list(frame)


def listed(client: TestClient, lists: Lists, status: str | None = None) -> list[dict[str, Any]]:
    query = f"?status={status}" if status else ""
    response = client.get(f"{ADMIN}/stations/{lists.identity}/reservations{query}")
    assert response.status_code == 200, response.text
    return list(response.json()["data"])


def test_each_answer_to_reserve_now_is_recorded(
    operator: TestClient, lists: Lists, clock: FakeClock, background: ThreadPoolExecutor
) -> None:
    with connected(operator, lists.identity, clock) as cp:
        ids = []
        for status in ("Accepted", "Faulted", "Occupied", "Rejected", "Unavailable"):
            pending = reserve(background, operator, lists, body(clock))
            frame = receive_call(cp, "ReserveNow")
            reservation_id = frame[3]["reservationId"]
            assert frame[3] == reserve_now(clock, reservation_id)
            assert reservation_id not in ids
            ids.append(reservation_id)
            reply(cp, frame, {"status": status})
            response = pending.result(timeout=10)
            assert response.status_code == 200, response.text
            answered = response.json()
            assert (answered["action"], answered["status"]) == ("ReserveNow", status)
            assert answered["answer"] == {"status": status}
            assert answered["reservation"] == {
                "reservation_id": reservation_id,
                "uuid": answered["reservation"]["uuid"],
                "connector_id": 1,
                "id_tag": "HOST-A",
                "parent_id_tag": None,
                "status": "reserved" if status == "Accepted" else "refused",
                "station_answer": status,
                "cancel_answer": None,
                "created_at": clock.at.isoformat(),
                "expires_at": (clock.at + timedelta(minutes=30)).isoformat(),
                "ended_at": None,
                "transaction_id": None,
                "price": None,
            }
    assert [r["status"] for r in listed(operator, lists)] == ["refused"] * 4 + ["reserved"]
    assert [r["reservation_id"] for r in listed(operator, lists, "reserved")] == ids[:1]
    assert len(listed(operator, lists, "refused")) == 4


def test_a_reservation_is_used_by_the_start_naming_it(
    operator: TestClient, lists: Lists, clock: FakeClock, background: ThreadPoolExecutor
) -> None:
    with connected(operator, lists.identity, clock) as cp:
        made = reserved(cp, background, operator, lists, clock)
        started = cp.result(
            "StartTransaction",
            {
                "connectorId": 1,
                "idTag": "HOST-A",
                "meterStart": 0,
                "timestamp": iso(clock.advance(minutes=5)),
                "reservationId": made["reservation_id"],
            },
        )
        assert started["idTagInfo"] == {"status": "Accepted"}
    (used,) = listed(operator, lists, "used")
    assert used["transaction_id"] == started["transactionId"]
    assert used["ended_at"] == clock.at.isoformat()
    assert listed(operator, lists, "reserved") == []


def test_a_start_naming_another_card_s_or_an_unknown_reservation_is_recorded_and_flagged(
    operator: TestClient,
    lists: Lists,
    clock: FakeClock,
    background: ThreadPoolExecutor,
    engine: Engine,
) -> None:
    with connected(operator, lists.identity, clock) as cp:
        made = reserved(cp, background, operator, lists, clock)
        starts = []
        for tag, reservation_id in (("HOST-B", made["reservation_id"]), ("HOST-B", 999_999)):
            answer = cp.result(
                "StartTransaction",
                {
                    "connectorId": 1,
                    "idTag": tag,
                    "meterStart": 0,
                    "timestamp": iso(clock.advance(minutes=1)),
                    "reservationId": reservation_id,
                },
            )
            assert answer["idTagInfo"] == {"status": "Accepted"}
            starts.append(answer["transactionId"])
    with unit_of_work(engine) as db:
        for transaction_id in starts:
            tx = db.get(OcppTransaction, transaction_id)
            assert tx is not None and "reservation_not_matched" in tx.flags
    assert [r["reservation_id"] for r in listed(operator, lists, "reserved")] == [
        made["reservation_id"]
    ]


def test_a_reservation_expires_and_a_late_start_does_not_use_it(
    operator: TestClient, lists: Lists, clock: FakeClock, background: ThreadPoolExecutor
) -> None:
    with connected(operator, lists.identity, clock) as cp:
        made = reserved(cp, background, operator, lists, clock)
        clock.advance(minutes=31)
        (expired,) = listed(operator, lists, "expired")
        assert expired["ended_at"] == expired["expires_at"]
        cancel = operator.post(
            f"{ADMIN}/stations/{lists.identity}/reservations/{made['reservation_id']}/cancel"
        )
        assert cancel.status_code == 409
        assert cancel.json()["error"]["message"] == (
            f"reservation {made['reservation_id']} is expired, not reserved"
        )
        cp.result(
            "StartTransaction",
            {
                "connectorId": 1,
                "idTag": "HOST-A",
                "meterStart": 0,
                "timestamp": iso(clock.at),
                "reservationId": made["reservation_id"],
            },
        )
    assert listed(operator, lists, "used") == []


def test_cancel_reservation_accepted_and_rejected(
    operator: TestClient,
    lists: Lists,
    clock: FakeClock,
    background: ThreadPoolExecutor,
    engine: Engine,
) -> None:
    with connected(operator, lists.identity, clock) as cp:
        made = reserved(cp, background, operator, lists, clock)
        path = f"/stations/{lists.identity}/reservations/{made['reservation_id']}"
        pending = post(background, operator, f"{path}/cancel")
        frame = expect(cp, "CancelReservation", {"reservationId": made["reservation_id"]})
        reply(cp, frame, {"status": "Rejected"})
        response = pending.result(timeout=10).json()
        assert response["status"] == "Rejected"
        assert response["reservation"]["status"] == "reserved"
        assert response["reservation"]["cancel_answer"] == "Rejected"

        pending = background.submit(operator.delete, f"{ADMIN}{path}")
        frame = expect(cp, "CancelReservation", {"reservationId": made["reservation_id"]})
        reply(cp, frame, {"status": "Accepted"})
        response = pending.result(timeout=10).json()
        assert response["reservation"]["status"] == "cancelled"
        assert response["reservation"]["ended_at"] == clock.at.isoformat()
    with unit_of_work(engine) as db:
        actions = db.scalars(
            select(AuditEvent.action).where(AuditEvent.resource == "reservation")
        ).all()
        assert sorted(actions) == ["cancel", "cancel", "create"]
    missing = operator.delete(f"{ADMIN}/stations/{lists.identity}/reservations/4242")
    assert missing.status_code == 404


def test_bad_reservations_are_refused_naming_the_field_and_connector_zero_when_allowed(
    operator: TestClient,
    lists: Lists,
    clock: FakeClock,
    background: ThreadPoolExecutor,
    engine: Engine,
) -> None:
    admin = account(engine, "admin").headers
    card = lists.host_card_uuids[0]
    assert operator.post(f"{ADMIN}/cards/{card}/block", headers=admin).status_code == 200
    with connected(operator, lists.identity, clock) as cp:
        cases = [
            (body(clock, tag="NOBODY"), "idTag", "idTag 'NOBODY' is no card of ours"),
            (body(clock, tag="HOST-A"), "idTag", "card 'HOST-A' is blocked"),
            (body(clock, tag="HOST-B", connector=9), "connectorId", None),
            ({**body(clock, tag="HOST-B"), "expiryDate": iso(clock.at)}, "expiryDate", None),
            ({**body(clock, tag="HOST-B"), "idTag": "X" * 21}, "idTag", None),
            ({**body(clock, tag="HOST-B"), "extra": 1}, "extra", None),
            (
                {**body(clock, tag="HOST-B"), "expiryDate": "2025-03-04T00:00:00"},
                "expiryDate",
                None,
            ),
        ]
        for sent, field, message in cases:
            response = operator.post(f"{ADMIN}/stations/{lists.identity}/reservations", json=sent)
            assert response.status_code == 400, (sent, response.text)
            assert response.json()["error"]["field"] == field
            if message is not None:
                assert response.json()["error"]["message"] == message

        pending = reserve(background, operator, lists, body(clock, tag="HOST-B", connector=0))
        frame = expect(cp, "GetConfiguration", {"key": ["ReserveConnectorZeroSupported"]})
        reply(
            cp,
            frame,
            {
                "configurationKey": [
                    {"key": "ReserveConnectorZeroSupported", "readonly": True, "value": "false"}
                ]
            },
        )
        response = pending.result(timeout=10)
        assert response.status_code == 400
        assert response.json()["error"]["field"] == "connectorId"
        assert listed(operator, lists) == []

        # A station taking reservations of connector 0 gets them.
        pending = reserve(background, operator, lists, body(clock, tag="HOST-B", connector=0))
        frame = expect(cp, "GetConfiguration", {"key": ["ReserveConnectorZeroSupported"]})
        zero = {"key": "ReserveConnectorZeroSupported", "readonly": True, "value": "true"}
        reply(cp, frame, {"configurationKey": [zero]})
        frame = receive_call(cp, "ReserveNow")
        assert frame[3]["connectorId"] == 0 and frame[3]["idTag"] == "HOST-B"
        reply(cp, frame, {"status": "Accepted"})
        made = pending.result(timeout=10).json()["reservation"]
        assert (made["connector_id"], made["status"]) == (0, "reserved")


def test_no_answer_or_a_call_error_is_recorded_as_refused(
    make_app: Callable[..., FastAPI],
    engine: Engine,
    lists: Lists,
    clock: FakeClock,
    background: ThreadPoolExecutor,
) -> None:
    app = make_app(ocpp_command_timeout_seconds="1")
    with TestClient(app) as client, connected(client, lists.identity, clock) as cp:
        client.headers.update(operator_headers(engine))
        pending = reserve(background, client, lists, body(clock))
        receive_call(cp, "ReserveNow")
        assert pending.result(timeout=10).status_code == 504

        pending = reserve(background, client, lists, body(clock))
        frame = receive_call(cp, "ReserveNow")
        cp.ws.send_text(f'[4,"{frame[1]}","NotSupported","no reservations",{{}}]')
        response = pending.result(timeout=10)
        assert response.status_code == 502
        assert response.json()["error"]["code"] == "station_error"
        answers = [r["station_answer"] for r in listed(client, lists, "refused")]
        assert answers == ["station_error", "station_timeout"]


# $6.00 an hour while reserved (GST-inclusive, by the minute), and energy at 40c/kWh.
RESERVATION_TARIFF: list[dict[str, Any]] = [
    {
        "price_components": [{"type": "TIME", "price": "6.00", "step_size": 60}],
        "restrictions": {"reservation": "RESERVATION"},
    },
    {"price_components": [{"type": "ENERGY", "price": "0.40", "step_size": 1}]},
]


def test_an_ended_reservation_is_priced_by_the_stations_tariff(
    operator: TestClient,
    lists: Lists,
    clock: FakeClock,
    background: ThreadPoolExecutor,
    engine: Engine,
) -> None:
    with unit_of_work(engine) as db:
        station = db.get(StationRow, lists.station_id)
        assert station is not None
        station.tariff_id = f.tariff(db, RESERVATION_TARIFF).id
    with connected(operator, lists.identity, clock) as cp:
        made = reserved(cp, background, operator, lists, clock)
        assert made["price"] is None  # still running
        clock.advance(minutes=20, seconds=10)  # 21 minutes, by the minute
        path = f"/stations/{lists.identity}/reservations/{made['reservation_id']}/cancel"
        pending = post(background, operator, path)
        frame = expect(cp, "CancelReservation", {"reservationId": made["reservation_id"]})
        reply(cp, frame, {"status": "Accepted"})
        cancelled = pending.result(timeout=10).json()["reservation"]
    assert cancelled["price"] == {"amount": "2.10", "gst": "0.19", "currency": "AUD"}
    assert listed(operator, lists)[0]["price"] == cancelled["price"]
