"""`fleetcharge simulate` in-process: a summary on success, a message and exit 1 otherwise."""

import pytest
from typer.testing import CliRunner

from fleetcharge.cli.main import app
from tests.simulator.conftest import CentralSystem

FAST = ["--speed", "1000000", "--seed", "3", "--timeout", "15"]


def test_simulate_prints_a_summary(central_system: CentralSystem) -> None:
    args = ["simulate", "--url", central_system.url, "--stations", "2", "--sessions", "2"]
    args += ["--id-tag", "CARD-A", "--id-tag", "CARD-B", "--ac", "--prefix", "DEPOT-"]
    args += ["--sample-interval", "600", *FAST]
    result = CliRunner().invoke(app, args)

    assert result.exit_code == 0, result.output
    assert "Simulation summary" in result.stdout
    assert "4 of 4" in result.stdout  # sessions completed
    assert "Seed" in result.stdout and " 3 " in result.stdout
    starts = central_system.calls("StartTransaction")
    assert {frame.station_id for frame in starts} == {"DEPOT-0001", "DEPOT-0002"}
    assert {frame.payload["idTag"] for frame in starts} == {"CARD-A", "CARD-B"}


def test_simulate_named_stations(central_system: CentralSystem) -> None:
    args = ["simulate", "--url", central_system.url, "--station", "HARBOUR-01"]
    args += ["--station", "HARBOUR-02", "--stations", "5", "--id-tag", "A", "--id-tag", "B"]
    result = CliRunner().invoke(app, [*args, "--sample-interval", "600", *FAST])

    assert result.exit_code == 0, result.output
    assert "2 of 2" in result.stdout
    starts = central_system.calls("StartTransaction")
    assert {frame.station_id for frame in starts} == {"HARBOUR-01", "HARBOUR-02"}


def test_unreachable_server_exits_1_with_a_message(closed_port_url: str) -> None:
    result = CliRunner().invoke(app, ["simulate", "--url", closed_port_url, *FAST])

    assert result.exit_code == 1
    assert "cannot reach" in result.stderr and "connection refused" in result.stderr
    assert "Traceback" not in result.output


def test_refused_handshake_exits_1_with_a_message(central_system_factory: object) -> None:
    system: CentralSystem = central_system_factory(password="right")  # type: ignore[operator]
    result = CliRunner().invoke(
        app, ["simulate", "--url", system.url, "--password", "wrong", *FAST]
    )
    assert result.exit_code == 1
    assert "HTTP 401" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--stations", "0"], "--stations"),
        (["--speed", "0.5"], "--speed"),
        (["--url", "http://127.0.0.1:8000/ocpp"], "ws://"),
        (["--id-tag", "A-CARD-NUMBER-FAR-TOO-LONG"], "1 to 20 characters"),
        (["--prefix", "bad/prefix"], "--prefix"),
        (["--station", "bad/identity"], "--station"),
        (["--transaction-message-attempts", "0"], "--transaction-message-attempts"),
        (["--transaction-message-retry-interval", "-1"], "--transaction-message-retry"),
        (["--server-ca", "/no/such/ca.pem"], "--server-ca"),
        (["--profiles", "maybe"], "--profiles"),
    ],
)
def test_bad_arguments_are_a_usage_error(args: list[str], complaint: str) -> None:
    result = CliRunner().invoke(app, ["simulate", *args])
    assert result.exit_code == 2
    assert complaint in result.output


def test_reconnect_sends_the_unanswered_call_again(central_system_factory: object) -> None:
    system: CentralSystem = central_system_factory(drop_on=frozenset({"StopTransaction"}))  # type: ignore[operator]
    result = CliRunner().invoke(
        app,
        ["simulate", "--url", system.url, "--reconnect", "5", "--sample-interval", "600", *FAST],
    )
    assert result.exit_code == 0, result.output
    assert "1 of 1" in result.stdout
    assert len(system.calls("StopTransaction")) == 2


def test_transaction_messages_retried_as_configured(central_system_factory: object) -> None:
    system: CentralSystem = central_system_factory(failing_calls={"StopTransaction": {1}})  # type: ignore[operator]
    args = ["simulate", "--url", system.url, "--sample-interval", "600", *FAST]
    args += ["--transaction-message-attempts", "2", "--transaction-message-retry-interval", "0"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "1 of 1" in result.stdout
    assert len(system.calls("StopTransaction")) == 2
    assert "Transaction messages retried" in result.stdout
