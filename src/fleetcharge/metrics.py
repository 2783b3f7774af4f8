"""Prometheus metrics of every process, served on /metrics.

With several worker processes (`fleetcharge serve --workers N`) each process writes its
samples to PROMETHEUS_MULTIPROC_DIR and /metrics aggregates them.
"""

import os
from collections.abc import Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from fleetcharge.models import Invoice

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
OCPP_JOURNAL_ENTRIES = Gauge(
    "fleetcharge_ocpp_journal_entries",
    "OCPP transaction messages answered while the database was unavailable, in the outage "
    "journal and not applied yet.",
    multiprocess_mode="livesum",
)
SESSIONS_CREATED = Counter("fleetcharge_sessions_created_total", "Charge sessions recorded.")
OCPP_TRANSACTIONS_SETTLED = Counter(
    "fleetcharge_ocpp_transactions_settled_total",
    "Transactions ended without their StopTransaction, by why: new_start, boot or expiry.",
    ["why"],
)


class BillingDocuments(Collector):
    """Billing runs happen in `fleetcharge billing` processes, not in the server: what they
    did is read from the database when /metrics is scraped."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "fleetcharge_billing_documents",
            "Billing documents by kind and status: `billing run` drafts them, `billing "
            "approve` numbers them.",
            labels=["kind", "status"],
        )
        query = select(Invoice.kind, Invoice.status, func.count()).group_by(
            Invoice.kind, Invoice.status
        )
        try:
            with self.engine.connect() as connection:
                for kind, status, count in connection.execute(query):
                    family.add_metric([kind, status], count)
        except SQLAlchemyError:
            return  # the database is down: /readyz says so; the other metrics still serve
        yield family


def render(engine: Engine | None = None) -> tuple[bytes, str]:
    """The exposition text of this process (or of all workers in multi-process mode), and
    the billing documents in the database."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest()
    if engine is not None:
        billing = CollectorRegistry()
        billing.register(BillingDocuments(engine))
        body += generate_latest(billing)
    return body, CONTENT_TYPE_LATEST
