"""A station's connectors, set as a whole from a list of {connector_id, name}."""

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from fleetcharge.errors import Conflict, InvalidField
from fleetcharge.kit import fields
from fleetcharge.models import ChargeSession, Connector, OcppTransaction, Station
from fleetcharge.network.schemas import ConnectorBody


def checked(connectors: list[ConnectorBody]) -> dict[int, str]:
    """connectorId -> name, each name valid and each id given once."""
    wanted: dict[int, str] = {}
    for index, connector in enumerate(connectors):
        where = f"connectors[{index}]"
        if connector.connector_id in wanted:
            raise InvalidField(
                f"{where}.connector_id: connector {connector.connector_id} is listed twice",
                field=f"{where}.connector_id",
            )
        wanted[connector.connector_id] = fields.text(connector.name, f"{where}.name", max_length=64)
    return wanted


def replace(db: Session, station: Station, wanted: dict[int, str]) -> None:
    """Rename, add and remove connectors to match `wanted`. A connector with recorded
    transactions or sessions stays (their history points at it)."""
    current = {c.connector_id: c for c in station.connectors}
    for number, connector in current.items():
        if number in wanted:
            connector.name = wanted[number]
        elif _used(db, connector.id):
            raise Conflict(
                f"connector {number} has recorded charging and cannot be removed",
                field="connectors",
            )
        else:
            station.connectors.remove(connector)
            db.delete(connector)
    for number, name in wanted.items():
        if number not in current:
            station.connectors.append(Connector(connector_id=number, name=name))
    station.connectors.sort(key=lambda c: c.connector_id)


def _used(db: Session, connector_id: int) -> bool:
    return bool(
        db.scalar(
            select(
                exists().where(OcppTransaction.connector_id == connector_id)
                | exists().where(ChargeSession.connector_id == connector_id)
            )
        )
    )
