"""The operator's network pages: /network (live), a station's page and its commands."""

import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import anyio
import pytest
from sqlalchemy import Engine

from fleetcharge.console import live
from fleetcharge.csms import repository
from fleetcharge.csms.network_view import latest_status_id
from fleetcharge.db import unit_of_work
from fleetcharge.models import ConnectorStatus, Location
from tests import factories as f
from tests.console.conftest import BrowserPage, Console
from tests.csms.helpers import FakeClock, connected, receive_frame, station_socket

NOW = datetime(2026, 10, 5, 3, 0, tzinfo=UTC)


def _status(engine: Engine, station_id: int, status: str, number: int = 1) -> None:
    with unit_of_work(engine) as db:
        repository.add_status(
            db,
            ConnectorStatus(
                station_id=station_id,
                connector_number=number,
                status=status,
                error_code="NoError",
                status_at=NOW,
                received_at=NOW,
            ),
        )


@pytest.fixture
def sites(engine: Engine) -> tuple[f.Site, f.Site]:
    with unit_of_work(engine) as db:
        host = f.organisation(db, "Host Co")
        first = f.site(db, host, "Australia/Melbourne")
        first.location.name = "<script>alert(1)</script> Depot"
        second = f.site(db, f.organisation(db, "Other Host"))
    _status(engine, first.station.id, "Faulted")
    return first, second


def test_the_network_page_lists_stations_with_statuses_and_counts(
    console: Console, sites: tuple[f.Site, f.Site]
) -> None:
    first, second = sites
    console.sign_in("support")
    page = console.client.get("/network")
    assert page.status_code == 200
    assert f'href="/network/stations/{first.station.uuid}"' in page.text
    assert f'href="/network/stations/{second.station.uuid}"' in page.text
    assert re.search(r'data-count="stations">2<', page.text)
    assert re.search(r'data-count="offline">2<', page.text)
    assert 'data-status-count="Faulted"' in page.text
    # A location name is text, never markup.
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Depot" in page.text
    assert 'data-live="/network/events"' in page.text
    faulted = console.client.get("/network?show=Faulted").text
    assert str(first.station.uuid) in faulted and str(second.station.uuid) not in faulted
    assert console.client.get("/network?show=online").text.count("data-station=") == 0


@pytest.mark.parametrize(
    ("query", "parameter"), [("show=%3Cb%3E", "show"), ("page=0", "page"), ("page=x", "page")]
)
def test_bad_filters_are_400_naming_them(
    console: Console, sites: tuple[f.Site, f.Site], query: str, parameter: str
) -> None:
    console.sign_in("admin")
    page = console.client.get(f"/network?{query}")
    assert page.status_code == 400
    assert parameter in page.text


def test_organisation_members_cannot_open_the_network_pages(
    console: Console, sites: tuple[f.Site, f.Site], engine: Engine
) -> None:
    first, _ = sites
    with unit_of_work(engine) as db:
        host = db.get_one(Location, first.location.id).host_organisation
    for role in ("fleet_manager", "read_only"):
        console.sign_in(role, host)
        for path in ("/network", f"/network/stations/{first.station.uuid}", "/network/events"):
            assert console.client.get(path).status_code == 404, (role, path)
        refused = console.client.post(
            f"/network/stations/{first.station.uuid}/reset",
            data={"csrf_token": console.csrf_token, "kind": "Soft", "confirmed": "yes"},
        )
        assert refused.status_code == 404
    console.sign_out()
    assert console.client.get("/network").status_code == 303


def test_the_station_page_shows_boot_data_history_and_commands_to_those_allowed(
    console: Console, sites: tuple[f.Site, f.Site], engine: Engine
) -> None:
    first, _ = sites
    with unit_of_work(engine) as db:
        station = db.merge(first.station)
        station.vendor, station.model, station.serial_number = "Acme <b>", "DC50", "SN-9"
        station.firmware_version = "2.1"
    console.sign_in("support")
    page = console.client.get(f"/network/stations/{first.station.uuid}")
    assert page.status_code == 200
    for text in ("Acme &lt;b&gt;", "DC50", "SN-9", "2.1", "Faulted", "2026-10-05 14:00 AEDT"):
        assert text in page.text
    assert f'action="/network/stations/{first.station.uuid}/reset"' in page.text
    console.sign_in("billing")  # reads the network, sends no commands
    page = console.client.get(f"/network/stations/{first.station.uuid}")
    assert page.status_code == 200 and "/reset" not in page.text
    refused = console.client.post(
        f"/network/stations/{first.station.uuid}/reset",
        data={"csrf_token": console.csrf_token, "kind": "Soft"},
    )
    assert refused.status_code == 403
    assert console.client.get("/network/stations/not-a-uuid").status_code == 400
    missing = "/network/stations/00000000-0000-4000-8000-000000000000"
    assert console.client.get(missing).status_code == 404


def test_commands_need_the_form_token_a_confirmation_and_show_the_result(
    console: Console, sites: tuple[f.Site, f.Site]
) -> None:
    first, _ = sites
    console.sign_in("support")
    path = f"/network/stations/{first.station.uuid}/reset"
    clock = FakeClock(NOW)
    with connected(console.client, first.station.ocpp_identity, clock) as cp:
        without_token = console.client.post(path, data={"kind": "Hard", "confirmed": "yes"})
        assert without_token.status_code == 403
        wrong_token = console.client.post(
            path, data={"kind": "Hard", "confirmed": "yes", "csrf_token": "x" * 32}
        )
        assert wrong_token.status_code == 403
        bad = console.client.post(path, data={"kind": "Bogus", "csrf_token": console.csrf_token})
        assert bad.status_code == 400 and "kind" in bad.text
        asked = console.client.post(path, data={"kind": "Hard", "csrf_token": console.csrf_token})
        assert asked.status_code == 200
        assert "Hard reset of" in asked.text and 'name="confirmed" value="yes"' in asked.text
        # Nothing is sent before the confirmation: the station's next frame is our answer.
        assert cp.result("Heartbeat", {})["currentTime"]
        with ThreadPoolExecutor(max_workers=1) as background:
            confirmed = background.submit(
                console.client.post,
                path,
                data={"kind": "Hard", "confirmed": "yes", "csrf_token": console.csrf_token},
            )
            frame = receive_frame(cp.ws)
            assert frame[2:] == ["Reset", {"type": "Hard"}]
            cp.ws.send_text(json.dumps([3, frame[1], {"status": "Rejected"}]))
            result = confirmed.result(timeout=15)
    assert result.status_code == 200
    assert re.search(r"data-command-result>Hard reset of [^<]*: Rejected<", result.text)


def test_a_command_to_a_station_not_connected_says_so(
    console: Console, sites: tuple[f.Site, f.Site]
) -> None:
    first, _ = sites
    console.sign_in("admin")
    result = console.client.post(
        f"/network/stations/{first.station.uuid}/unlock",
        data={"connector": "1", "confirmed": "yes", "csrf_token": console.csrf_token},
    )
    assert result.status_code == 200
    assert "is not connected" in result.text and 'class="alert"' in result.text
    not_open = console.client.post(
        f"/network/stations/{first.station.uuid}/remote-stop",
        data={"transaction": "12", "confirmed": "yes", "csrf_token": console.csrf_token},
    )
    assert not_open.status_code == 400 and "transaction" in not_open.text


def test_the_event_stream_sends_stations_whose_status_changed(
    console: Console, sites: tuple[f.Site, f.Site], engine: Engine, monkeypatch
) -> None:
    first, second = sites
    monkeypatch.setattr(live, "POLL_SECONDS", 0.05)
    monkeypatch.setattr(live, "STREAM_SECONDS", 0.5)
    with unit_of_work(engine) as db:
        cursor = latest_status_id(db)
    _status(engine, second.station.id, "Charging")
    console.sign_in("support")
    stream = console.client.get("/network/events", headers={"Last-Event-ID": str(cursor)})
    assert stream.status_code == 200
    assert stream.headers["content-type"].startswith("text/event-stream")
    events = [
        (m["kind"], json.loads(m["data"]))
        for m in re.finditer(r"event: (?P<kind>\w+)\ndata: (?P<data>.*)\n", stream.text)
    ]
    stations = {data["uuid"]: data for kind, data in events if kind == "station"}
    # Resuming, the stream sends again the stations of rows just below its cursor (one may
    # have been committed late); each event is a station's whole state, so that is harmless.
    assert set(stations) == {str(first.station.uuid), str(second.station.uuid)}
    assert stations[str(second.station.uuid)]["connectors"][0]["status"] == "Charging"
    assert stations[str(first.station.uuid)]["connectors"][0]["status"] == "Faulted"
    (counts,) = [data for kind, data in events if kind == "counts"]
    assert counts["statuses"] == {"Charging": 1, "Faulted": 1}
    assert counts["stations"] == 2 and counts["online"] == 0
    assert f"id: {cursor + 1}\n" in stream.text  # resumed from here on reconnection


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_status_change_shows_on_the_open_network_page(
    console: Console, browser: BrowserPage, sites: tuple[f.Site, f.Site]
) -> None:
    first, _ = sites
    console.sign_in("support")
    browser.open("/network")
    row = browser.page.locator(f'tr[data-station="{first.station.uuid}"]')
    assert row.locator('[data-field="status"]').inner_text() == "Faulted"
    assert row.locator('[data-field="online"]').inner_text() == "offline"
    browser.page.evaluate("window.notReloaded = true")

    url = browser.base.replace("http://", "ws://") + f"/ocpp/{first.station.ocpp_identity}"
    plugged_in = threading.Event()
    done = threading.Event()

    async def station() -> None:
        async with station_socket(url) as call:
            await call("BootNotification", {"chargePointVendor": "Acme", "chargePointModel": "X"})
            await call(
                "StatusNotification",
                {"connectorId": 1, "errorCode": "NoError", "status": "Preparing"},
            )
            plugged_in.set()
            await anyio.to_thread.run_sync(done.wait, 30)

    worker = threading.Thread(target=anyio.run, args=(station,), daemon=True)
    worker.start()
    try:
        assert plugged_in.wait(15)
        status = row.locator('[data-field="status"]')
        status.filter(has_text="Preparing").wait_for(timeout=15_000)
        row.locator('[data-field="online"]').filter(has_text="online").wait_for(timeout=15_000)
        assert browser.page.locator('[data-count="online"]').inner_text() == "1"
        assert browser.page.evaluate("window.notReloaded") is True
        browser.screenshot("network-live")
        browser.open(f"/network/stations/{first.station.uuid}")
        facts = browser.page.locator("dl.facts").inner_text()
        assert "Acme" in facts and "online" in browser.page.locator("h1").inner_text()
        browser.screenshot("station")
    finally:
        done.set()
        worker.join(timeout=15)
    browser.assert_no_errors()
