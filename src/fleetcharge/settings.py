"""The one settings object; every value can be set with a FLEETCHARGE_* environment variable."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = f"sqlite:///{Path.cwd() / 'fleetcharge.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FLEETCHARGE_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    # Shared state across processes (rate-limit counters); in-process when unset.
    redis_url: str | None = None
    redis_key_prefix: str = "fleetcharge"
    # Name of the charging network this deployment runs; shown as `location.operator.name`.
    operator_name: str = "Fleetcharge Network"
    # Public base URL used in `pagination.next`; by default taken from the request.
    public_base_url: str | None = None
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"
    # Seconds `serve` waits for in-flight requests on shutdown (SIGTERM / Ctrl-C).
    graceful_shutdown_seconds: int = 30
    # Fleets API rate limits per token and endpoint: `N/period` windows joined by `;`, or
    # `off`. Defaults are the published table; organisations may override them.
    rate_limits_enabled: bool = True
    rate_limit_usage: str = "18/15minutes;50/hour"
    rate_limit_sessions: str = "18/15minutes;50/hour"
    rate_limit_invoices: str = "18/hour"
    rate_limit_vehicles: str = "off"

    def rate_limit_defaults(self) -> dict[str, str]:
        return {
            "usage": self.rate_limit_usage,
            "sessions": self.rate_limit_sessions,
            "invoices": self.rate_limit_invoices,
            "vehicles": self.rate_limit_vehicles,
        }


@lru_cache
def get_settings() -> Settings:
    return Settings()
