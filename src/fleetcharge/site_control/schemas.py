"""The admin API's view of a site's live allocation (GET /locations/{uuid}/allocation)."""

from pydantic import BaseModel, ConfigDict, Field


class SessionAllocationView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    transaction_id: int = Field(description="The OCPP transactionId.")
    station: str = Field(description="The station's OCPP identity.")
    connector_id: int
    limit_w: float = Field(description="The limit in force now, in W.")
    limit_a: float = Field(description="The same per phase, in A.")
    paused: bool
    controllable: bool = Field(
        description="False: the station is offline or refuses profiles; it is counted at its "
        "last accepted limit or its rated power."
    )
    reason: str = Field(description="Why the limit is what it is.")
    drawn_w: float | None = Field(description="The last measured draw, when known.")
    profile_status: str | None = Field(
        description="The station's answer to the last profile sent: Accepted, Rejected, "
        "NotSupported, Offline, Timeout or Failed."
    )
    sent_limit_w: float | None
    sent_at: str | None
    computed_at: str


class AllocationView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    location: str = Field(description="The location's UUID.")
    controlled: bool = Field(description="Whether the control loop controls the site now.")
    computed_at: str | None = Field(description="The last allocation (UTC); null: none yet.")
    limit_w: float | None = Field(description="The site limit in force at the last allocation.")
    load_w: float | None = Field(description="The sum of the sessions' measured draws.")
    allocated_w: float | None = Field(description="The sum of the limits given.")
    sessions: list[SessionAllocationView]
