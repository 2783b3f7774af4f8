"""Prometheus metrics of every process, served on /metrics.

With several worker processes (`fleetcharge serve --workers N`) each process writes its
samples to PROMETHEUS_MULTIPROC_DIR and /metrics aggregates them.
"""

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUEST_SECONDS = Histogram(
    "fleetcharge_http_request_duration_seconds",
    "HTTP request latency by route, method and status.",
    ["route", "method", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
OCPP_CONNECTED = Gauge(
    "fleetcharge_ocpp_connected_stations",
    "Charge stations with an open OCPP connection.",
    multiprocess_mode="livesum",
)
OCPP_MESSAGES = Counter(
    "fleetcharge_ocpp_messages_total", "OCPP messages received, by action.", ["action"]
)
SESSIONS_CREATED = Counter("fleetcharge_sessions_created_total", "Charge sessions recorded.")
BILLING_RUNS = Counter(
    "fleetcharge_billing_runs_total", "Billing runs (draft or approve), by step.", ["step"]
)


def render() -> tuple[bytes, str]:
    """The exposition text of this process, or of all workers in multi-process mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
