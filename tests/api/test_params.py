"""Query parameters: strict parsing, 400 naming the parameter, empty = absent, unknown
parameters ignored, and no input ever producing a 500."""

from datetime import UTC, date, datetime

import httpx
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from tests import factories as f
from tests.api.helpers import (
    API,
    DATED_ENDPOINTS,
    ENDPOINTS,
    LIST_KEY,
    assert_error_body,
    assert_valid,
    bearer,
)
from tests.kit.test_paging import BAD_DATES, BAD_PAGES


def _seed(engine: Engine) -> str:
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        v = f.vehicle(db, f.fleet(db, org))
        f.charge(db, f.site(db, org), f.driver(db, v), datetime(2024, 1, 5, 1, tzinfo=UTC))
        f.invoice(db, org, invoice_date=date(2024, 1, 31))
        return f.token(db, org)


def assert_bad_parameter(response: httpx.Response, parameter: str) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert_error_body(body)
    assert set(body["error"]) == {"code", "message", "parameter"}
    assert body["error"]["code"] == "invalid_parameter"
    assert body["error"]["parameter"] == parameter
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert "Traceback" not in response.text


def test_bad_input_matrix_gets_400_naming_the_parameter(client: TestClient, engine: Engine) -> None:
    secret = _seed(engine)
    for endpoint in ENDPOINTS:
        for page in BAD_PAGES:
            response = client.get(
                f"{API}/{endpoint}", params={"page": page}, headers=bearer(secret)
            )
            assert_bad_parameter(response, "page")
    for endpoint in DATED_ENDPOINTS:
        for name in ("date_from", "date_to"):
            for value in BAD_DATES:
                response = client.get(
                    f"{API}/{endpoint}", params={name: value}, headers=bearer(secret)
                )
                assert_bad_parameter(response, name)
        for low, high in [
            ("2024-02-02", "2024-02-01"),
            ("2024-02-01T00:00:01Z", "2024-02-01T00:00:00Z"),
            ("2024-02-01T10:00:00+10:00", "2024-02-01T10:59:59+11:00"),
        ]:
            response = client.get(
                f"{API}/{endpoint}",
                params={"date_from": low, "date_to": high},
                headers=bearer(secret),
            )
            assert_bad_parameter(response, "date_from")
        # The first bad parameter is named even when a later one is bad too.
        response = client.get(
            f"{API}/{endpoint}", params={"page": "x", "date_from": "x"}, headers=bearer(secret)
        )
        assert_bad_parameter(response, "page")


def test_valid_input_and_unknown_routes(client: TestClient, engine: Engine) -> None:
    _empty_values_mean_absent_and_unknown_parameters_are_ignored(client, engine)
    _equal_bounds_and_mixed_forms_are_accepted(client, engine)
    _unknown_paths_and_methods_use_the_error_shape(client, engine)


def _empty_values_mean_absent_and_unknown_parameters_are_ignored(
    client: TestClient, engine: Engine
) -> None:
    secret = _seed(engine)
    for endpoint in ENDPOINTS:
        plain = client.get(f"{API}/{endpoint}", headers=bearer(secret))
        assert plain.status_code == 200
        assert plain.json()["pagination"] == {"total_entries": 1}
        for query in [
            "page=",
            "page=1",
            "page=%201%20",
            "date_from=&date_to=",
            "date_from=%20&page=",
            "foo=bar&page=1&limit=5",
            "per_page=1&sort=desc",
            "PAGE=abc",
            "page[size]=2",
            "date_to=2024-12-31&date_from=",
        ]:
            response = client.get(f"{API}/{endpoint}?{query}", headers=bearer(secret))
            assert response.status_code == 200, (endpoint, query, response.text)
            assert response.json() == plain.json(), (endpoint, query)
    # /vehicles has no date filters: date parameters are unknown there, so ignored.
    response = client.get(f"{API}/vehicles?date_from=garbage", headers=bearer(secret))
    assert response.status_code == 200


def _equal_bounds_and_mixed_forms_are_accepted(client: TestClient, engine: Engine) -> None:
    secret = _seed(engine)
    for params, total in [
        ({"date_from": "2024-01-05", "date_to": "2024-01-05"}, 1),  # 12:00 in Sydney
        ({"date_from": "2024-01-05T01:00:00Z", "date_to": "2024-01-05T12:00:00+11:00"}, 1),
        ({"date_from": "2024-01-05t01:00:00z"}, 1),  # lower-case separators
        ({"date_from": "2024-01-05T01:00:00.000001Z"}, 0),
        ({"date_to": "2024-01-05T00:59:59.999999Z"}, 0),
        # An unencoded '+' arrives as a space; it is read as the offset sign.
        ({"date_from": "2024-01-05T12:00:00 11:00"}, 1),
    ]:
        response = client.get(f"{API}/usage", params=params, headers=bearer(secret))
        assert response.status_code == 200, (params, response.text)
        assert response.json()["pagination"]["total_entries"] == total, params
    response = client.get(
        f"{API}/usage?date_from=2024-01-05T12:00:00+11:00", headers=bearer(secret)
    )
    assert response.json()["pagination"]["total_entries"] == 1


def _unknown_paths_and_methods_use_the_error_shape(client: TestClient, engine: Engine) -> None:
    secret = _seed(engine)
    response = client.get(f"{API}/nothing", headers=bearer(secret))
    assert response.status_code == 404
    assert_error_body(response.json())
    assert response.json()["error"]["code"] == "not_found"
    response = client.post(f"{API}/usage", headers=bearer(secret))
    assert response.status_code == 405
    assert_error_body(response.json())
    assert response.json()["error"]["code"] == "method_not_allowed"


# --- fuzzing --------------------------------------------------------------------------

NEAR_DATES = st.from_regex(
    r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,7})?"
    r"([Zz]|[+\- ][0-9]{2}:[0-9]{2})?)?\Z"
)
VALUES = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(-(10**15), 10**15).map(str),
    NEAR_DATES,
    st.sampled_from(["", " ", "0", "1", "00", "1.0", "nan", "inf", "-0", "\x00", "%", "&page=2"]),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(endpoint=st.sampled_from(ENDPOINTS), page=VALUES, date_from=VALUES, date_to=VALUES)
def test_any_query_gets_200_or_400_with_the_error_shape(
    client: TestClient,
    engine: Engine,
    endpoint: str,
    page: str | None,
    date_from: str | None,
    date_to: str | None,
) -> None:
    secret = _secret_for(engine)
    params = {
        k: v
        for k, v in (("page", page), ("date_from", date_from), ("date_to", date_to))
        if v is not None
    }
    response = client.get(f"{API}/{endpoint}", params=params, headers=bearer(secret))
    assert response.status_code in (200, 400), (params, response.text)
    body = response.json()
    if response.status_code == 200:
        assert_valid(client, endpoint, body)
        assert isinstance(body["data"][LIST_KEY[endpoint]], list)
    else:
        assert_bad_parameter(response, body["error"]["parameter"])
        assert body["error"]["parameter"] in params


_SEEDED: dict[str, str] = {}


def _secret_for(engine: Engine) -> str:
    key = engine.url.render_as_string()
    if key not in _SEEDED:
        _SEEDED[key] = _seed(engine)
    return _SEEDED[key]
