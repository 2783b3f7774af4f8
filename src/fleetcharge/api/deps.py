"""Request-scoped dependencies: the unit of work and the authenticated principal."""

from collections.abc import Callable, Iterator

from fastapi import Depends, Query, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from fleetcharge.api.params import ListParams, parse_list_params
from fleetcharge.auth.service import Principal, authenticate, require_scope
from fleetcharge.db import unit_of_work

# Declared for the OpenAPI document; the header is parsed by `authenticate`.
bearer_scheme = HTTPBearer(auto_error=False, description="An API token issued by the operator.")


def get_db(request: Request) -> Iterator[Session]:
    with unit_of_work(request.app.state.engine) as session:
        yield session


def requires(scope: str) -> Callable[..., Principal]:
    def dependency(
        request: Request,
        db: Session = Depends(get_db),
        _credentials: HTTPAuthorizationCredentials | None = Security(bearer_scheme),
    ) -> Principal:
        principal = authenticate(db, request.headers.get("authorization"))
        require_scope(principal, scope)
        return principal

    return dependency


PAGE_DOC = "Page number, starting at 1 (default). Pages hold 100 records."
DATE_FROM_DOC = (
    "Include records completed on or after this date (YYYY-MM-DD, inclusive). For sessions the "
    "date is the local calendar date of completion at the station (the location's time zone). "
    "An RFC 3339 date-time is also accepted and compared as an instant. Empty means absent."
)
DATE_TO_DOC = DATE_FROM_DOC.replace("on or after", "on or before")


def page_only(page: str | None = Query(None, description=PAGE_DOC)) -> ListParams:
    return parse_list_params(page)


def page_and_dates(
    page: str | None = Query(None, description=PAGE_DOC),
    date_from: str | None = Query(None, description=DATE_FROM_DOC),
    date_to: str | None = Query(None, description=DATE_TO_DOC),
) -> ListParams:
    return parse_list_params(page, date_from, date_to)
