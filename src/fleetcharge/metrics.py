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
from sqlalchemy import Engine, case, func, select
from sqlalchemy.exc import SQLAlchemyError

from fleetcharge.models import Invoice, Location, SiteAllocation, SiteControlState

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


class SiteControlFigures(Collector):
    """Each smart-charged site as the control loop last left it (whichever process controls
    it): read from its tables when /metrics is scraped, so every process answers alike."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        def family(name: str, text: str) -> GaugeMetricFamily:
            return GaugeMetricFamily(name, text, labels=["location"])

        load = family("fleetcharge_site_load_watts", "A site's load: its measured draws summed.")
        limit = family("fleetcharge_site_limit_watts", "A site's power limit in force.")
        paused = family("fleetcharge_site_sessions_paused", "A site's sessions paused.")
        rejected = family(
            "fleetcharge_site_profiles_rejected",
            "A site's sessions whose station refused the last profile (Rejected or "
            "NotSupported): counted at their rated power.",
        )
        refused = SiteAllocation.profile_status.in_(("Rejected", "NotSupported"))
        sessions = (
            select(
                SiteAllocation.location_id,
                func.sum(case((SiteAllocation.paused, 1), else_=0)).label("paused"),
                func.sum(case((refused, 1), else_=0)).label("rejected"),
            )
            .group_by(SiteAllocation.location_id)
            .subquery()
        )
        query = (
            select(
                Location.uuid,
                SiteControlState.load_w,
                SiteControlState.limit_w,
                sessions.c.paused,
                sessions.c.rejected,
            )
            .join(Location, Location.id == SiteControlState.location_id)
            .outerjoin(sessions, sessions.c.location_id == SiteControlState.location_id)
            .where(SiteControlState.computed_at.is_not(None))
        )
        try:
            with self.engine.connect() as connection:
                rows = connection.execute(query).all()
        except SQLAlchemyError:
            return
        for uuid, load_w, limit_w, paused_count, rejected_count in rows:
            label = [str(uuid)]
            if load_w is not None:
                load.add_metric(label, load_w)
            if limit_w is not None:
                limit.add_metric(label, limit_w)
            paused.add_metric(label, paused_count or 0)
            rejected.add_metric(label, rejected_count or 0)
        yield from (load, limit, paused, rejected)


def render(engine: Engine | None = None) -> tuple[bytes, str]:
    """The exposition text of this process (or of all workers in multi-process mode), and
    the billing documents and smart-charged sites in the database."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest()
    if engine is not None:
        billing = CollectorRegistry()
        billing.register(BillingDocuments(engine))
        billing.register(SiteControlFigures(engine))
        body += generate_latest(billing)
    return body, CONTENT_TYPE_LATEST
