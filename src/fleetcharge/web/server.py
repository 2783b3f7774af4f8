"""Run the API (and the OCPP endpoint) with uvicorn, in one or several processes."""

import os
import tempfile

import uvicorn

from fleetcharge.csms.tls import uvicorn_options
from fleetcharge.db import normalise_url
from fleetcharge.logs import logging_config
from fleetcharge.settings import get_settings


def serve(database_url: str, host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    # The app (in this process or in workers) is built from the environment: put the URL
    # there, and forget settings read before it was.
    os.environ["FLEETCHARGE_DATABASE_URL"] = normalise_url(database_url)
    get_settings.cache_clear()
    settings = get_settings()
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Each worker writes its metrics here; /metrics on any worker adds them up.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="fleetcharge-metrics-")
    uvicorn.run(
        "fleetcharge.web.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_config=logging_config(settings.log_level, settings.log_format),
        access_log=False,  # the RequestContext middleware logs each request with its id
        # Only the configured proxies' X-Forwarded-* are believed; uvicorn would otherwise
        # take the list from FORWARDED_ALLOW_IPS in the environment.
        proxy_headers=bool(settings.trusted_proxies.strip()),
        forwarded_allow_ips=settings.trusted_proxies.strip() or "",
        timeout_graceful_shutdown=settings.graceful_shutdown_seconds,
        ws_max_size=settings.ocpp_max_frame_bytes,
        **uvicorn_options(settings),
    )
