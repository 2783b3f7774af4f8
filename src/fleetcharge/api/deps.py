"""What every endpoint shares: the authorised unit of work and the documented parameters."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Annotated

import anyio.to_thread
from fastapi import Query, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from sqlalchemy.util import await_

from fleetcharge.auth.service import Principal, authenticate, require_scope
from fleetcharge.db import Reader, on_event_loop, read_only, unit_of_work

# Declared for the OpenAPI document; the header is parsed by `authenticate`.
bearer_scheme = HTTPBearer(auto_error=False, description="An API token issued by the operator.")


@contextmanager
def authorised(request: Request, scope: str) -> Iterator[tuple[Session, Principal]]:
    """The request's unit of work, opened for a caller whose token is entitled to `scope`.

    Endpoints call this inside their own (sync) body rather than through dependencies:
    every sync dependency costs FastAPI a hop to the thread pool, which on a busy API
    cost more than the page's own SQL.
    """
    with unit_of_work(request.app.state.engine) as db:
        yield db, _admitted(request, db, scope)


# Set by web.direct_routes when it runs an endpoint on the event loop: the loop's own engine.
READ_ENGINE = "read_engine"


@contextmanager
def authorised_to_read(request: Request, scope: str) -> Iterator[tuple[Reader, Principal]]:
    """As `authorised`, for endpoints that only read through `fetch_all` (`read_only`)."""
    engine = getattr(request.state, READ_ENGINE, None) or request.app.state.engine
    with read_only(engine) as db:
        yield db, _admitted(request, db, scope)


def _admitted(request: Request, db: Reader, scope: str) -> Principal:
    """The caller, authenticated, entitled to `scope` and within its rate limits."""
    state = request.app.state
    principal = authenticate(db, request.headers.get("authorization"))
    require_scope(principal, scope)
    windows = state.limit_policy.windows(scope, principal.rate_limits)
    count = partial(state.rate_limiter.acquire, windows, principal.token_id, scope)
    if windows and on_event_loop(db) and not state.rate_limiter.in_memory:
        # On the event loop (web.direct_routes): Redis is asked from a worker thread, not the loop.
        quota = await_(anyio.to_thread.run_sync(count))
    else:
        quota = count()
    if quota is not None:
        request.state.rate_limit_headers = quota.headers()
    return principal


PAGE_DOC = "Page number, starting at 1 (default). Pages hold 100 records."
DATE_FROM_DOC = (
    "Include records completed on or after this date (YYYY-MM-DD, inclusive). For sessions the "
    "date is the local calendar date of completion at the station (the location's time zone). "
    "An RFC 3339 date-time is also accepted and compared as an instant. Empty means absent."
)
DATE_TO_DOC = DATE_FROM_DOC.replace("on or after", "on or before")


# Declared for the OpenAPI document; parsed strictly by `parse_list_params`.
Page = Annotated[str | None, Query(description=PAGE_DOC)]
DateFrom = Annotated[str | None, Query(description=DATE_FROM_DOC)]
DateTo = Annotated[str | None, Query(description=DATE_TO_DOC)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)]
