"""The one settings object; every value can be set with a FLEETCHARGE_* environment variable."""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = f"sqlite:///{Path.cwd() / 'fleetcharge.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FLEETCHARGE_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    # Name of the charging network this deployment runs; shown as `location.operator.name`.
    operator_name: str = "Fleetcharge Network"
    # The operator's legal name (default: operator_name) and ABN, the supplier on its tax
    # invoices and the recipient on RCTIs. Tax invoice PDFs need the ABN.
    operator_legal_name: str | None = None
    operator_abn: str | None = None
    # Public base URL used in `pagination.next`; by default taken from the request.
    public_base_url: str | None = None
    log_level: str = "INFO"


@lru_cache
def get_settings() -> Settings:
    return Settings()
