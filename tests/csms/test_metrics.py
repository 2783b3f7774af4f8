"""/metrics: connected stations, OCPP messages by action, sessions created."""

from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from tests.csms.conftest import NOW, Network
from tests.csms.helpers import FakeClock, connected

CONNECTED = "fleetcharge_ocpp_connected_stations"
MESSAGES = "fleetcharge_ocpp_messages_total"
SESSIONS = "fleetcharge_sessions_created_total"


def metrics(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics by (name, sorted labels). Metrics are per process, and other
    tests ran before: compare differences."""
    text = client.get("/metrics").text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_connected_stations_messages_by_action_and_sessions(
    client: TestClient, network: Network, clock: FakeClock
) -> None:
    before = metrics(client)
    with connected(client, network.identity, clock) as cp:
        during = metrics(client)
        assert value(during, CONNECTED) == value(before, CONNECTED) + 1
        assert cp.send('[2,"1","Heartbeat",{}]')[0] == 3
        assert cp.send('[2,"2","Heartbeat",{}]')[0] == 3
        assert cp.send('[2,"3","FlyToTheMoon",{}]')[0] == 4
        assert cp.send('[2,"4",42,{}]')[0] == 4
        assert cp.send("not a frame")[0] == 4  # no action to count
        transaction = cp.start(network.id_tag, 0, NOW)["transactionId"]
        cp.stop(transaction, 5000, NOW + timedelta(minutes=20))
        after = metrics(client)
    assert value(after, CONNECTED) == value(before, CONNECTED) + 1
    for action, count in [
        ("Heartbeat", 2),
        ("unknown", 2),
        ("StartTransaction", 1),
        ("StopTransaction", 1),
        ("BootNotification", 0),
    ]:
        assert value(after, MESSAGES, action=action) - value(before, MESSAGES, action=action) == (
            count
        ), action
    assert value(after, SESSIONS) == value(before, SESSIONS) + 1
    assert value(metrics(client), CONNECTED) == value(before, CONNECTED)
