"""The one settings object; every value can be set with a FLEETCHARGE_* environment variable."""

from functools import lru_cache
from pathlib import Path
from uuid import UUID

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = f"sqlite:///{Path.cwd() / 'fleetcharge.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FLEETCHARGE_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    # Name of the charging network this deployment runs; shown as `location.operator.name`.
    operator_name: str = "Fleetcharge Network"
    # Public base URL used in `pagination.next`; by default taken from the request.
    public_base_url: str | None = None
    log_level: str = "INFO"

    # OCPP central system (ws://host:port/ocpp/{station identity}).
    # Unknown stations are created under this location (its uuid); unset = rejected.
    ocpp_auto_register_location: UUID | None = None
    # The heartbeat interval (seconds) BootNotification asks stations to use.
    ocpp_heartbeat_interval: int = 300
    # A station timestamp further than this in the future of its receipt is replaced by the
    # receipt time (and flagged); one older than ocpp_max_offline_days likewise, as no
    # station queues transactions for that long (clocks reset to 1970 or 2000 do happen).
    ocpp_max_clock_skew_minutes: int = 15
    ocpp_max_offline_days: int = 30

    @field_validator("ocpp_auto_register_location", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value


@lru_cache
def get_settings() -> Settings:
    return Settings()
