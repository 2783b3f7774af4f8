"""The admin API's bodies and views of stations' configuration keys."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from fleetcharge.configuration.catalogue import MAX_KEY_LENGTH, MAX_VALUE_LENGTH

# Printable: no key holds a control character (and PostgreSQL text no NUL).
Key = Annotated[str, Field(min_length=1, max_length=MAX_KEY_LENGTH, pattern=r"^[^\x00-\x1f\x7f]+$")]
# Keys one GetConfiguration may ask for: stations announce their own limit
# (GetConfigurationMaxKeys); asking for more than they take is refused by them.
MAX_KEYS_ASKED = 100


class ChangeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Key = Field(description="The configuration key, e.g. HeartbeatInterval.")
    value: str = Field(
        max_length=MAX_VALUE_LENGTH,
        pattern=r"^[^\x00]*$",
        description="The new value as OCPP sends it: true/false, a decimal integer, a "
        "comma-separated list or text, as the key's type asks.",
    )


class ReadBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keys: list[Key] | None = Field(
        default=None,
        max_length=MAX_KEYS_ASKED,
        description="The keys to read; omitted or empty: every key the station has.",
    )


class StandardKey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str = Field(description="boolean, integer, CSL (comma-separated list) or string.")
    unit: str | None = Field(description="e.g. seconds, Wh; null when it has none.")
    profile: str = Field(description="The OCPP feature profile (or Security) it belongs to.")


class ConfigurationKeyView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str
    value: str | None = Field(
        description="As last reported or accepted; null when the station reported none, "
        "named the key unknown, or the key is write-only (never stored)."
    )
    readonly: bool | None = Field(description="Whether the station lets it be changed.")
    known: bool = Field(description="False for a key the station named unknown.")
    write_only: bool = Field(description="A secret (AuthorizationKey): never shown.")
    standard: StandardKey | None = Field(
        description="The OCPP standard key's description; null for a vendor's own key."
    )
    reported_at: str = Field(description="When the station reported or accepted it.")
    reboot_required: bool = Field(
        description="The station answered the last change RebootRequired and has not "
        "booted since: the value applies from its next boot."
    )
