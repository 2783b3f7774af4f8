"""Run the API with uvicorn."""

import os

import uvicorn

from fleetcharge.db import normalise_url
from fleetcharge.settings import get_settings


def serve(database_url: str, host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    # Worker processes build their own app from the environment, so pass the URL there.
    os.environ["FLEETCHARGE_DATABASE_URL"] = normalise_url(database_url)
    uvicorn.run(
        "fleetcharge.api.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level=get_settings().log_level.lower(),
        proxy_headers=True,
    )
