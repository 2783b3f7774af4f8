"""A host's station with the host's cards and another organisation's, for the local list
and reservation tests; playing the station's side of the central system's calls."""

import json
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from fleetcharge.db import unit_of_work
from tests import factories as f
from tests.admin.helpers import ADMIN
from tests.csms.helpers import Station, receive_frame

LIMIT_KEYS = ["LocalAuthListMaxLength", "SendLocalListMaxLength"]


@dataclass(frozen=True)
class Lists:
    identity: str
    station_id: int
    location_uuid: str
    host_tags: tuple[str, ...]  # the host organisation's cards
    other_tag: str  # another organisation's card
    other_vehicle_uuid: str
    host_card_uuids: tuple[str, ...]


@pytest.fixture
def lists(engine: Engine) -> Lists:
    with unit_of_work(engine) as db:
        host, other = f.organisation(db), f.organisation(db)
        site = f.site(db, host)
        mine = f.vehicle(db, f.fleet(db, host), id_tags=("HOST-A", "HOST-B"))
        theirs = f.vehicle(db, f.fleet(db, other), id_tags=("OTHER-C",))
        return Lists(
            identity=site.station.ocpp_identity,
            station_id=site.station.id,
            location_uuid=str(site.location.uuid),
            host_tags=("HOST-A", "HOST-B"),
            other_tag="OTHER-C",
            other_vehicle_uuid=str(theirs.uuid),
            host_card_uuids=tuple(str(card.uuid) for card in mine.cards),
        )


def post(
    background: ThreadPoolExecutor, client: TestClient, path: str, body: Any = None
) -> "Future[httpx.Response]":
    return background.submit(client.post, f"{ADMIN}{path}", json=body)


def expect(cp: Station, action: str, payload: Any) -> list[Any]:
    """The central system's next frame, which must be this call."""
    frame = receive_frame(cp.ws)
    assert frame == [2, frame[1], action, payload], frame
    return list(frame)


def reply(cp: Station, frame: list[Any], payload: Any) -> None:
    cp.ws.send_text(json.dumps([3, frame[1], payload]))


def limits(cp: Station, max_length: str = "10", per_message: str = "20") -> None:
    """Answer the GetConfiguration asking the list size limits."""
    frame = expect(cp, "GetConfiguration", {"key": LIMIT_KEYS})
    reply(
        cp,
        frame,
        {
            "configurationKey": [
                {"key": "LocalAuthListMaxLength", "readonly": True, "value": max_length},
                {"key": "SendLocalListMaxLength", "readonly": True, "value": per_message},
            ]
        },
    )


def accepted(tag: str, expiry: str | None = None) -> dict[str, Any]:
    info: dict[str, Any] = {"status": "Accepted"}
    if expiry is not None:
        info["expiryDate"] = expiry
    return {"idTag": tag, "idTagInfo": info}
