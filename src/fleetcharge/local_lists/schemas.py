"""The admin API's bodies and views of local lists."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from fleetcharge.models.local_list import LocalListScope


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SendLocalListBody(_Model):
    full: bool = Field(
        default=False,
        strict=True,
        description="Send the whole list (Full update); else only what the station lacks.",
    )


class LocalListScopeBody(_Model):
    scope: LocalListScope = Field(
        description="Which cards the location's stations hold: `host` (its host "
        "organisation's, the default), `all` (every card), `none`."
    )


class LocalListScopeView(_Model):
    location_uuid: str
    scope: LocalListScope


class SentUpdate(_Model):
    list_version: int = Field(alias="listVersion")
    update_type: Literal["Full", "Differential"] = Field(alias="updateType")
    entries: int
    status: str = Field(description="The station's answer, or why there was none.")


class SendLocalListView(_Model):
    station: str
    result: str | None = Field(
        description="The last answer: Accepted, Failed, NotSupported or VersionMismatch "
        "(after which the full list is sent); null when nothing needed sending."
    )
    version: int = Field(description="The version the station holds now, per its answers.")
    updates: list[SentUpdate]


class LocalListVersionView(_Model):
    station: str
    list_version: int = Field(
        alias="listVersion", description="The station's answer (-1: no local list support)."
    )
    version: int = Field(description="The version we recorded the station accepting.")
    in_step: bool


class LocalListStateView(_Model):
    station: str
    scope: LocalListScope
    version: int = Field(description="The version the station accepted last (0: none).")
    entries: int = Field(description="idTags the station holds, per its answers.")
    pending_changes: int = Field(description="Changes the cards made that it lacks.")
    last_update_type: str | None
    last_result: str | None
    last_sync_at: str | None
    synced_at: str | None = Field(description="When it last accepted an update.")
    reported_version: int | None = Field(description="Its last GetLocalListVersion answer.")
    reported_at: str | None


class LocalListEntryView(_Model):
    id_tag: str
    status: str = Field(description="Accepted, Blocked or Expired.")
    expiry_date: str | None
    parent_id_tag: str | None
