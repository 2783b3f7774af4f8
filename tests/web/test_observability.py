"""Request ids, JSON logs without secrets, Prometheus metrics, liveness and readiness."""

import io
import json
import logging
import logging.config
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from fleetcharge.logs import logging_config
from tests import factories as f
from tests.api.helpers import API, bearer


def test_request_ids_are_echoed_or_made(client: TestClient) -> None:
    given = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42"})
    assert given.headers["X-Request-ID"] == "lb-7f3a.42"
    for unsafe in ("has spaces", "x" * 200, 'quote"s'):
        made = client.get("/healthz", headers={"X-Request-ID": unsafe})
        assert made.headers["X-Request-ID"] != unsafe
        assert len(made.headers["X-Request-ID"]) == 32
    first, second = client.get("/healthz"), client.get("/healthz")
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


@pytest.fixture
def json_logging() -> Iterator[io.StringIO]:
    """Our logging configuration, writing to a buffer, for one test; the loggers it changes
    are put back afterwards."""
    names = ("fleetcharge", "uvicorn", "uvicorn.access")
    saved = {
        name: (list(lg.handlers), lg.level, lg.propagate)
        for name in names
        for lg in [logging.getLogger(name)]
    }
    config = logging_config("INFO", "json")
    buffer = io.StringIO()
    config["handlers"]["default"]["stream"] = buffer
    logging.config.dictConfig(config)
    yield buffer
    for name, (handlers, level, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate


def test_access_log_is_json_with_the_request_id_and_no_secret(
    client: TestClient, engine: Engine, json_logging: io.StringIO
) -> None:
    with unit_of_work(engine) as db:
        secret = f.token(db, f.organisation(db))
    client.get(f"{API}/usage?page=1", headers={**bearer(secret), "X-Request-ID": "req-1"})
    client.get(f"{API}/usage", headers=bearer(secret + "x"))
    lines = [json.loads(line) for line in json_logging.getvalue().splitlines() if line]
    access = [line for line in lines if line["logger"] == "fleetcharge.access"]
    assert access[0]["request_id"] == "req-1"
    assert access[0]["message"] == f"GET {API}/usage 200"
    assert access[0]["route"] == f"{API}/usage" and access[0]["status"] == 200
    assert access[1]["status"] == 401
    assert all(secret not in json.dumps(line) for line in lines)


def test_metrics_count_requests_by_route_and_status(client: TestClient) -> None:
    client.get(f"{API}/vehicles")  # 401
    text = client.get("/metrics").text
    assert "# TYPE fleetcharge_http_request_duration_seconds histogram" in text
    assert (
        'fleetcharge_http_request_duration_seconds_count{method="GET",'
        f'route="{API}/vehicles",status="401"}}'
    ) in text
    assert "fleetcharge_sessions_created_total" in text


def test_metrics_show_what_billing_runs_did(client: TestClient, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        f.invoice(db, org)
        f.invoice(db, org, invoice_date=date(2024, 7, 31))
        f.invoice(db, org, status="draft", kind="site_host")
    text = client.get("/metrics").text
    assert 'fleetcharge_billing_documents{kind="fleet",status="approved"} 2.0' in text
    assert 'fleetcharge_billing_documents{kind="site_host",status="draft"} 1.0' in text


def test_liveness_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"database": "ok"}}


def test_uvicorns_coloured_copy_of_a_message_is_not_logged(json_logging: io.StringIO) -> None:
    logging.getLogger("uvicorn.error").info(
        "Started server process [%d]", 42, extra={"color_message": "\x1b[36mStarted\x1b[0m"}
    )
    (line,) = [json.loads(text) for text in json_logging.getvalue().splitlines() if text]
    assert line["message"] == "Started server process [42]"
    assert "color_message" not in line and "\x1b" not in json_logging.getvalue()
