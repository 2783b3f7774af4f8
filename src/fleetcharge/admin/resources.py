"""What the routes of one kind of admin object share: a page of them, a create, one object
shown, and a change (`If-Match`). A route module declares its kind once as a `Resource`;
each route keeps its own signature (the OpenAPI document is built from it) and calls the
matching method."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

from fastapi import Request, Response
from sqlalchemy.orm import Session

from fleetcharge.admin.calls import (
    admin_call,
    create,
    expected_version,
    object_response,
    page_response,
)
from fleetcharge.kit.cursors import Page
from fleetcharge.organisations.service import visible_organisation
from fleetcharge.permissions import Actor

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Resource(Generic[T]):
    name: str  # as roles name it: `actor.require(name, action)`
    get: Callable[[Session, Actor, UUID], T]  # one, by uuid, if the caller may see it
    view: Callable[[T], dict[str, Any]]

    def page(self, request: Request, fetch: Callable[[Session, Actor], Page[T]]) -> Response:
        return listed(request, self.name, fetch, self.view)

    def create(self, request: Request, body: Any, make: Callable[[Session, Actor], T]) -> Response:
        """201 and the object `make` creates, once per Idempotency-Key."""

        def made(db: Session, actor: Actor) -> tuple[int, dict[str, Any]]:
            return 201, self.view(make(db, actor))

        return create(request, self.name, "create", body, made)

    def show(self, request: Request, uuid: UUID) -> Response:
        return self.answer(request, "read", lambda db, actor: self.get(db, actor, uuid))

    def answer(self, request: Request, action: str, act: Callable[[Session, Actor], T]) -> Response:
        """The object `act` answers with, for a caller whose role may `action`."""
        with admin_call(request, self.name, action) as (db, actor):
            return object_response(self.view(act(db, actor)))

    def change(
        self,
        request: Request,
        uuid: UUID,
        change: Callable[[Session, Actor, T, int | None], T],
        action: str = "update",
        status: int = 200,
    ) -> Response:
        """The object `change` answers with, given the version `If-Match` expects."""
        version = expected_version(request)
        with admin_call(request, self.name, action) as (db, actor):
            changed = change(db, actor, self.get(db, actor, uuid), version)
            return object_response(self.view(changed), status)


def listed(
    request: Request,
    resource: str,
    fetch: Callable[[Session, Actor], Page[R]],
    view: Callable[[R], dict[str, Any]],
) -> Response:
    """The page `fetch` reads, each item shown by `view`."""
    with admin_call(request, resource, "read") as (db, actor):
        return page_response(request, fetch(db, actor), view)


def organisation_filter(db: Session, actor: Actor, uuid: UUID | None) -> int | None:
    """The id of the `organisation_uuid` a list is filtered by, if the caller may see it."""
    if uuid is None:
        return None
    return visible_organisation(db, actor, uuid, parameter="organisation_uuid").id
