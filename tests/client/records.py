"""Fleets API records as JSON dicts, shaped like the published examples, for fake servers."""

from typing import Any

SYDNEY = "Australia/Sydney"


def period(
    amount: float, start: str, duration: int = 1020, kwh: float = 1.0, tariff: float = 0.3
) -> dict[str, Any]:
    return {
        "start_date_time": start,
        "duration": duration,
        "consumption": kwh,
        "tariff": tariff,
        "gst": round(amount / 11, 2),
        "amount": amount,
        "currency": "AUD",
    }


def where(
    name: str = "Depot", evse: str = "EVSE-1", connector: int = 1, timezone: str = SYDNEY
) -> dict[str, Any]:
    return {
        "name": name,
        "timezone": timezone,
        "address": f"1 {name} Street",
        "evse": {
            "evse_id": evse,
            "name": f"Station {evse}",
            "connector": {"id": connector, "name": f"Port {'AB'[connector - 1]}"},
        },
    }


def usage(
    uuid: str,
    *,
    stop: str = "2024-06-10T10:00:00+10:00",
    auth_id: str = "OPTIMUS",
    vin: str = "VIN-PRIME",
    amounts: tuple[float, ...] = (2.56,),
    cost: float | None = None,
    invoice: str | None = None,
    kwh: float = 8.539,
    timezone: str = SYDNEY,
) -> dict[str, Any]:
    return {
        "uuid": uuid,
        "auth_id": auth_id,
        "vehicle": {"contract_number": None, "vin": vin, "registration_number": "REG-1"},
        "customer": {"uuid": "fleet-1", "name": "Autobots"},
        "location": where(timezone=timezone),
        "start_date_time": stop,
        "stop_date_time": stop,
        "total_time": 1020,
        "cost_to_driver": cost if cost is not None else round(sum(amounts), 2),
        "consumption": kwh,
        "total_parking_time": 60,
        "invoice_number": invoice,
        "charging_periods": [period(amount, stop) for amount in amounts],
    }


def site_host(
    uuid: str,
    *,
    stop: str,
    location: str = "Depot",
    evse: str = "EVSE-1",
    connector: int = 1,
    timezone: str = SYDNEY,
    kwh: float = 10.0,
    revenue: float = 0.0,
    gst_revenue: float = 0.0,
    cost: float = 0.0,
    gst_cost: float = 0.0,
    total_time: int = 3600,
    parking: int = 0,
    host_key: str = "suboperator",
) -> dict[str, Any]:
    place = where(location, evse, connector, timezone)
    place["operator"] = {"name": "Network"}
    place[host_key] = {"name": "Cybertron"}
    return {
        "uuid": uuid,
        "auth_id": "PUBLIC",
        "location": place,
        "start_date_time": stop,
        "stop_date_time": stop,
        "total_time": total_time,
        "consumption": kwh,
        "total_parking_time": parking,
        "total_revenue": revenue,
        "gst_on_total_revenue": gst_revenue,
        "total_cost": cost,
        "gst_on_total_cost": gst_cost,
        "currency": "AUD",
        "charging_periods": [],
    }


def vehicle(
    uuid: str,
    vin: str,
    tags: tuple[str, ...] = (),
    effective_from: str = "2023-01-01",
    effective_to: str | None = None,
) -> dict[str, Any]:
    return {
        "uuid": uuid,
        "contract_number": f"C-{uuid}",
        "vin": vin,
        "registration_number": f"R-{uuid}",
        "effective_from": effective_from,
        "effective_to": effective_to,
        "customer": {"uuid": "fleet-1", "name": "Autobots"},
        "cards": [{"id_tag": tag} for tag in tags],
    }


def invoice(
    number: int,
    invoice_date: str = "2024-06-30",
    *,
    lines: tuple[tuple[str, float], ...] = (),
    sessions: tuple[tuple[str, float], ...] = (),
    status: str = "approved",
    with_vehicle: bool = False,
) -> dict[str, Any]:
    total = round(sum(amount for _, amount in lines), 2)
    return {
        "uuid": f"invoice-{number}",
        "invoice_number": number,
        "invoice_date": invoice_date,
        "description": "Fleet fees",
        "status": status,
        "currency": "AUD",
        "total_tax": round(total / 11, 2),
        "total_amount_incl_tax": total,
        "total_paid_incl_tax": 0,
        "total_due_incl_tax": total,
        "reference": None,
        "line_items": [
            {
                "description": text,
                "units": 1,
                "unit_price_incl_tax": amount,
                "amount_incl_tax": amount,
            }
            for text, amount in lines
        ],
        "vehicles": [vehicle("v", "VIN-PRIME", ("OPTIMUS",))] if with_vehicle else [],
        "charge_sessions": [
            {
                "uuid": uuid,
                "location": "Depot",
                "charge_station": "Station EVSE-1",
                "connector": "Port A",
                "start_time": "2024-06-10T09:43:00.000+10:00",
                "stop_time": "2024-06-10T10:00:00.000+10:00",
                "auth_id": "OPTIMUS",
                "total_time": 17,
                "consumption": 8.539,
                "total_cost_incl_tax": amount,
            }
            for uuid, amount in sessions
        ],
    }
