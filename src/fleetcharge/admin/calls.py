"""What every admin route shares: the authorised unit of work, `If-Match`, `Idempotency-Key`,
and rendering objects and pages."""

import hashlib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

import orjson
from fastapi import Query, Request, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fleetcharge.accounts.service import authenticate_admin
from fleetcharge.api.responses import link
from fleetcharge.db import unit_of_work
from fleetcharge.errors import Conflict, DomainError, InvalidParameter
from fleetcharge.kit.cursors import Page, PageRequest, parse_page_request
from fleetcharge.kit.sealed import seal, unseal
from fleetcharge.kit.versions import etag, parse_if_match
from fleetcharge.models import IdempotentRequest
from fleetcharge.permissions import Actor

T = TypeVar("T")
Cursor = Annotated[str | None, Query(description="Continue a list: from `pagination.next`.")]
Limit = Annotated[str | None, Query(description="Records a page, 1 to 500 (default 100).")]
_KEY = re.compile(r"[\x21-\x7e]{1,200}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ACTOR = "admin_actor"  # where `authenticated` leaves the caller, on request.state
# Fields of a create's answer holding a newly issued secret: remembered sealed, never clear.
SECRET_FIELDS = ("token", "password", "secret")


def authenticated(request: Request) -> None:
    """Every admin route's first step (an app dependency, run before its parameters and
    body are validated): without a valid admin token a caller learns nothing else (401)."""
    with unit_of_work(request.app.state.engine) as db:
        setattr(request.state, _ACTOR, authenticate_admin(db, request.headers.get("authorization")))


def is_authenticated(request: Request) -> bool:
    return getattr(request.state, _ACTOR, None) is not None


async def plain_parameters(request: Request) -> None:
    """No control characters in any route's query or path parameters (an app dependency):
    PostgreSQL refuses a NUL in text, and no name, search or filter holds one."""
    for name, value in [*request.query_params.multi_items(), *request.path_params.items()]:
        if _CONTROL.search(name) or _CONTROL.search(str(value)):
            raise InvalidParameter(f"{name!r} must not contain control characters", parameter=name)


def authorised(request: Request, resource: str, action: str) -> Actor:
    """The caller (authenticated by the app's dependency), if its role may `action`
    `resource`: for routes that need no unit of work of their own."""
    actor: Actor = getattr(request.state, _ACTOR)
    actor.require(resource, action)
    return actor


@contextmanager
def admin_call(request: Request, resource: str, action: str) -> Iterator[tuple[Session, Actor]]:
    """The request's unit of work, for an admin token whose role may `action` `resource`."""
    with unit_of_work(request.app.state.engine) as db:
        actor: Actor | None = getattr(request.state, _ACTOR, None)
        if actor is None:
            actor = authenticate_admin(db, request.headers.get("authorization"))
        actor.require(resource, action)
        yield db, actor


def expected_version(request: Request) -> int | None:
    return parse_if_match(request.headers.get("if-match"))


def json_response(body: Any, status: int = 200, version: int | None = None) -> Response:
    headers = {"ETag": etag(version)} if version is not None else None
    return Response(orjson.dumps(body), status, headers, media_type="application/json")


def object_response(view: dict[str, Any], status: int = 200) -> Response:
    """One object, with its version as the ETag to send back in If-Match."""
    return json_response(view, status, view.get("version"))


def page_request(cursor: str | None, limit: str | None) -> PageRequest:
    return parse_page_request(cursor, limit)


def page_response(request: Request, page: Page[T], view: Callable[[T], dict[str, Any]]) -> Response:
    pagination: dict[str, Any] = {"total_entries": page.total}
    if page.next_cursor is not None:
        query = {k: v for k, v in request.query_params.items() if k != "cursor"}
        query["cursor"] = page.next_cursor
        pagination["next"] = link(request, urlencode(query))
    return json_response({"data": [view(item) for item in page.items], "pagination": pagination})


def create(
    request: Request,
    resource: str,
    action: str,
    body: Any,
    make: Callable[[Session, Actor], tuple[int, dict[str, Any]]],
) -> Response:
    """Run a create (`make` returns status and view) at most once per `Idempotency-Key`.

    The key's record is written first, in the same transaction as the object: a concurrent
    retry waits on it and then replays the first answer; a retry after a failure (nothing
    committed) runs again. The same key with a different request is refused.
    """
    key = request.headers.get("idempotency-key")
    if key is None:
        with admin_call(request, resource, action) as (db, actor):
            status, view = make(db, actor)
        return object_response(view, status)
    if not _KEY.fullmatch(key):
        raise InvalidParameter(
            "Idempotency-Key must be 1 to 200 printable ASCII characters",
            parameter="Idempotency-Key",
        )
    digest = _request_digest(request, body)
    # Authenticated by admin_call before anything is read or written with it.
    credential = request.headers.get("authorization", "").partition(" ")[2].strip()
    remembered_as = _Remembered(key, digest, credential)
    try:
        with admin_call(request, resource, action) as (db, actor):
            replay = _stored(db, actor, remembered_as)
            if replay is not None:
                return replay
            remembered = IdempotentRequest(
                account_id=actor.account_id,
                key=key,
                request_sha256=digest,
                status_code=0,
                response={},
            )
            db.add(remembered)
            db.flush()
            status, view = make(db, actor)
            remembered.status_code = status
            remembered.response = remembered_as.sealed(view)
    except (IntegrityError, Conflict):
        # A concurrent request with the same key committed first: answer as it did.
        with admin_call(request, resource, action) as (db, actor):
            replay = _stored(db, actor, remembered_as)
        if replay is None:
            raise
        return replay
    return object_response(view, status)


def _request_digest(request: Request, body: Any) -> str:
    content = body.model_dump_json() if hasattr(body, "model_dump_json") else orjson.dumps(body)
    text = content if isinstance(content, str) else content.decode()
    return hashlib.sha256(f"{request.method} {request.url.path}\n{text}".encode()).hexdigest()


@dataclass(frozen=True)
class _Remembered:
    """A create's Idempotency-Key, the digest of its request and the caller's secret."""

    key: str
    digest: str
    credential: str

    def sealed(self, view: dict[str, Any]) -> dict[str, Any]:
        return {
            name: {"sealed": seal(value, self.credential, f"{self.key}\n{self.digest}")}
            if name in SECRET_FIELDS and isinstance(value, str)
            else value
            for name, value in view.items()
        }

    def opened(self, remembered: dict[str, Any]) -> dict[str, Any]:
        view = dict(remembered)
        for name in SECRET_FIELDS:
            if isinstance(view.get(name), dict) and "sealed" in view[name]:
                secret = unseal(view[name]["sealed"], self.credential, f"{self.key}\n{self.digest}")
                if secret is None:
                    raise Conflict(
                        "this Idempotency-Key's create was made with another admin token: "
                        "only a retry with that token is shown the secret it issued",
                        parameter="Idempotency-Key",
                    )
                view[name] = secret
        return view


def _stored(db: Session, actor: Actor, remembered: _Remembered) -> Response | None:
    found = db.scalar(
        select(IdempotentRequest).where(
            IdempotentRequest.account_id == actor.account_id,
            IdempotentRequest.key == remembered.key,
        )
    )
    if found is None:
        return None
    if found.request_sha256 != remembered.digest:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was used for a different request", parameter="Idempotency-Key"
        )
    return object_response(remembered.opened(found.response), found.status_code)


class IdempotencyKeyReused(DomainError):
    status_code = 422
    code = "idempotency_key_reused"
