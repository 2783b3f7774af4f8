"""RemoteStartTransaction as an operator sends it: the admin API's body, and what is refused
before anything is sent (a card we know cannot charge, a connector the station does not
have). The station's StartTransaction then arrives as any other."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from fleetcharge.csms import repository
from fleetcharge.csms.charging_profiles import RemoteStartProfile
from fleetcharge.csms.command_schemas import ConnectorId
from fleetcharge.csms.commands import Command
from fleetcharge.csms.service import ACCEPTED, BLOCKED, EXPIRED, card_status
from fleetcharge.errors import InvalidField

# OCPP 1.6 IdToken: CiString20Type (printable: no card's id tag holds a control character).
IdTag = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[^\x00-\x1f\x7f]+$")]
_REFUSED = {
    BLOCKED: "is blocked",
    EXPIRED: "has expired",
}


class RemoteStartBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id_tag: IdTag = Field(alias="idTag", description="The card to charge on (its id tag).")
    connector_id: ConnectorId | None = Field(
        default=None,
        alias="connectorId",
        description="The connector; omitted: the station chooses one.",
    )
    charging_profile: RemoteStartProfile | None = Field(
        default=None,
        alias="chargingProfile",
        description="An OCPP 1.6 ChargingProfile for the transaction (purpose TxProfile).",
    )

    def command(self) -> Command:
        payload: dict[str, Any] = {"idTag": self.id_tag}
        if self.connector_id is not None:
            payload["connectorId"] = self.connector_id
        if self.charging_profile is not None:
            payload["chargingProfile"] = self.charging_profile.payload()
        return Command("RemoteStartTransaction", payload)


def check_remote_start(db: Session, identity: str, body: RemoteStartBody, now: datetime) -> None:
    """400 naming the field for a start we know would fail: the card unknown, blocked or
    expired; a connector the station does not have (when its connectors are known)."""
    status = card_status(repository.card_by_id_tag(db, body.id_tag), now)
    if status != ACCEPTED:
        reason = _REFUSED.get(status, "is unknown: no card has this id tag")
        raise InvalidField(f"the card {body.id_tag!r} {reason}", field="idTag")
    station = repository.station_by_identity(db, identity)
    if station is None or body.connector_id is None:
        return  # an unknown station is not connected either (404 when sending)
    numbers = [connector.connector_id for connector in station.connectors]
    if numbers and body.connector_id not in numbers:
        have = ", ".join(str(number) for number in numbers)
        raise InvalidField(
            f"charge station {identity} has no connector {body.connector_id} (it has {have})",
            field="connectorId",
        )
