"""A whole charge over OCPP, then read back through the Fleets API by both organisations.

Tariff: 40c/kWh, parking $12/h after 10 minutes' grace (per minute). The car charges
10:00-10:40 (15 kWh, lifetime register 1,000,000 -> 1,015,000 Wh), is full (SuspendedEV)
at 10:40 and the transaction stops at 11:10:
    energy   15 kWh x $0.40                         = $6.00
    parking  30 min idle - 10 min grace = 20 min x $12/h = $4.00
    cost to the driver                               = $10.00 (GST $0.91)
The host earns it all (the driver is another organisation's) and pays the network fee:
15 kWh x $0.175 = $2.625 -> $2.63 (GST $0.24).
"""

from datetime import timedelta

from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from fleetcharge.db import unit_of_work
from fleetcharge.models import ChargeSession, ConnectorStatus, OcppMeterValue, OcppTransaction
from tests.api.helpers import get_page, records
from tests.csms.conftest import NOW, Network
from tests.csms.helpers import FakeClock, connected, iso, iso_ms


def test_a_charge_becomes_a_priced_session_on_usage_and_sessions(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    t = NOW
    minutes = lambda n: t + timedelta(minutes=n)  # noqa: E731
    with connected(client, network.identity, clock) as cp:
        assert cp.send(
            '[2,"1","BootNotification",{"chargePointVendor":"Acme","chargePointModel":"AC22"}]'
        ) == [3, "1", {"currentTime": iso_ms(t), "interval": 300, "status": "Accepted"}]
        assert cp.send(
            '[2,"2","StatusNotification",{"connectorId":1,"errorCode":"NoError",'
            f'"status":"Preparing","timestamp":"{iso(t)}"}}]'
        ) == [3, "2", {}]
        assert cp.send(f'[2,"3","Authorize",{{"idTag":"{network.id_tag}"}}]') == [
            3,
            "3",
            {"idTagInfo": {"status": "Accepted"}},
        ]
        answer = cp.send(
            f'[2,"4","StartTransaction",{{"connectorId":1,"idTag":"{network.id_tag}",'
            f'"meterStart":1000000,"timestamp":"{iso(t)}"}}]'
        )
        assert answer[:2] == [3, "4"]
        transaction_id = answer[2]["transactionId"]
        assert answer[2] == {"transactionId": transaction_id, "idTagInfo": {"status": "Accepted"}}
        assert cp.status("Charging", t) == {}
        clock.at = minutes(30)
        assert cp.send(
            f'[2,"5","MeterValues",{{"connectorId":1,"transactionId":{transaction_id},'
            f'"meterValue":[{{"timestamp":"{iso(minutes(30))}","sampledValue":['
            '{"value":"1011000","context":"Sample.Periodic","measurand":"Energy.Active.Import.Register","unit":"Wh"},'
            '{"value":"22000","measurand":"Power.Active.Import","unit":"W"},'
            '{"value":"32","measurand":"Current.Import","phase":"L1","unit":"A"}]}]}]'
        ) == [3, "5", {}]
        assert cp.status("SuspendedEV", minutes(40)) == {}
        assert cp.meter(1015000, minutes(50), transaction_id=transaction_id) == {}
        clock.at = minutes(70)
        assert cp.send(
            f'[2,"6","StopTransaction",{{"transactionId":{transaction_id},"idTag":"{network.id_tag}",'
            f'"meterStop":1015000,"timestamp":"{iso(minutes(70))}","reason":"Local"}}]'
        ) == [3, "6", {"idTagInfo": {"status": "Accepted"}}]
        assert cp.status("Finishing", minutes(70)) == {}

    with unit_of_work(engine) as db:
        tx = db.get(OcppTransaction, transaction_id)
        assert tx is not None and tx.state == "stopped" and tx.session_id is not None
        assert tx.flags == []
        session = db.get(ChargeSession, tx.session_id)
        assert session is not None and session.payer_organisation_id == network.payer_id
        values = db.scalars(select(OcppMeterValue).where(OcppMeterValue.transaction_id == tx.id))
        assert len(list(values)) == 4
        assert len(db.scalars(select(ConnectorStatus)).all()) == 4

    usage = records(get_page(client, "usage", network.payer_token), "usage")
    assert len(usage) == 1
    (charge,) = usage
    assert charge["uuid"] == str(session.uuid)
    assert charge["auth_id"] == network.id_tag
    assert charge["start_date_time"] == "2025-03-04T10:00:00+11:00"
    assert charge["stop_date_time"] == "2025-03-04T11:10:00+11:00"
    assert charge["total_time"] == 70 * 60
    assert charge["total_parking_time"] == 30 * 60
    assert charge["consumption"] == 15
    assert charge["cost_to_driver"] == 10
    assert [
        (p["start_date_time"], p["duration"], p["consumption"], p["amount"])
        for p in charge["charging_periods"]
    ] == [
        ("2025-03-04T10:00:00+11:00", 40 * 60, 15, 6),
        ("2025-03-04T10:40:00+11:00", 30 * 60, 0, 4),
    ]

    hosted = records(get_page(client, "sessions", network.host_token), "sessions")
    assert [s["uuid"] for s in hosted] == [charge["uuid"]]
    assert hosted[0]["total_revenue"] == 10
    assert hosted[0]["gst_on_total_revenue"] == 0.91
    assert hosted[0]["total_cost"] == 2.63
    assert hosted[0]["gst_on_total_cost"] == 0.24
    assert records(get_page(client, "usage", network.host_token), "usage") == []
