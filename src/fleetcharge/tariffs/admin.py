"""Tariffs through the admin API: views, create from a document with problems named by
field, list, versions (history, publishing the next), and the overrides giving an
organisation another tariff at a location."""

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.audit.service import record
from fleetcharge.errors import InvalidField, NotFound
from fleetcharge.kit.cursors import Page, PageRequest, page_of
from fleetcharge.models import Location, Organisation, Tariff, TariffOverride
from fleetcharge.network.locations import uuid_of
from fleetcharge.permissions import Actor
from fleetcharge.tariffs.repository import tariff_spec
from fleetcharge.tariffs.schemas import TariffDocumentError, document_of, parse_tariff_document
from fleetcharge.tariffs.service import (
    create_tariff,
    current_terms,
    tariff_document,
    tariff_history,
    terms_document,
)
from fleetcharge.tariffs.versions import publish, versions


class TariffView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uuid: str
    name: str
    owner_organisation_uuid: str | None
    document: dict[str, Any] = Field(description="The tariff as an OCPI-style document.")
    created_at: str
    version: int


class VersionView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tariff_uuid: str
    version: int = Field(description="1 is the tariff as created; later ones as published.")
    valid_from: str | None = Field(description="When it takes effect (None: always).")
    valid_until: str | None = Field(description="OCPI end_date_time, if any.")
    type: str | None
    published_at: str
    in_force: bool = Field(description="Whether sessions starting now are priced by it.")
    document: dict[str, Any] = Field(description="The version's document as given.")


class OverrideBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation_uuid: str = Field(description="Whose own cards get this tariff...")
    location_uuid: str = Field(description="...at this location's stations.")


class OverrideView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tariff_uuid: str
    organisation_uuid: str
    location_uuid: str
    created_at: str


def tariff_view(db: Session, tariff: Tariff) -> dict[str, Any]:
    owner = (
        db.get(Organisation, tariff.owner_organisation_id) if tariff.owner_organisation_id else None
    )
    document = tariff_document(db, tariff)
    document.pop("uuid", None)
    return {
        "uuid": str(tariff.uuid),
        "name": tariff.name,
        "owner_organisation_uuid": str(owner.uuid) if owner else None,
        "document": document,
        "created_at": tariff.created_at.isoformat(),
        "version": tariff.version,
    }


def priced_document(db: Session, tariff: Tariff) -> dict[str, Any]:
    """The version in force in our GST-inclusive form (prices including VAT, each with its
    rate), whichever form it was written in: what people read."""
    owner = (
        db.get(Organisation, tariff.owner_organisation_id) if tariff.owner_organisation_id else None
    )
    spec = tariff_spec(current_terms(db, tariff))
    return document_of(tariff.name, owner.name if owner else None, spec)


def override_view(db: Session, override: TariffOverride) -> dict[str, Any]:
    organisation = db.get(Organisation, override.organisation_id)
    location = db.get(Location, override.location_id)
    assert organisation is not None and location is not None
    return {
        "tariff_uuid": str(override.tariff.uuid),
        "organisation_uuid": str(organisation.uuid),
        "location_uuid": str(location.uuid),
        "created_at": override.created_at.isoformat(),
    }


def get_tariff(db: Session, actor: Actor, uuid: UUID) -> Tariff:
    actor.require("tariffs", "read")
    tariff = db.scalar(select(Tariff).where(Tariff.uuid == uuid))
    if tariff is None:
        raise NotFound(f"no tariff {uuid}")
    return tariff


def list_tariffs(db: Session, actor: Actor, page: PageRequest, q: str | None) -> Page[Tariff]:
    actor.require("tariffs", "read")
    query = select(Tariff)
    if q and q.strip():
        query = query.where(Tariff.name.ilike(f"%{q.strip()}%"))
    return page_of(db, query, Tariff.id, page)


def create_from_document(db: Session, actor: Actor, body: dict[str, Any]) -> Tariff:
    actor.require("tariffs", "create")
    try:
        document = parse_tariff_document(body)
    except TariffDocumentError as error:
        first = error.problems[0]
        raise InvalidField(first, field=first.partition(":")[0]) from None
    if document.owner is not None:
        owner = _organisation(db, document.owner, "owner")
        document = document.model_copy(update={"owner": str(owner.uuid)})
    tariff = create_tariff(db, document)
    db.refresh(tariff)  # as stored (scales of its decimals), as later reads show it
    record(db, actor, "create", "tariff", tariff.uuid, None, None, tariff_view(db, tariff))
    return tariff


def version_views(db: Session, tariff: Tariff) -> list[dict[str, Any]]:
    owner = (
        db.get(Organisation, tariff.owner_organisation_id) if tariff.owner_organisation_id else None
    )
    rows = tariff_history(db, tariff)
    return [
        {
            "tariff_uuid": str(tariff.uuid),
            **row,
            "document": terms_document(tariff, owner, terms),
        }
        for row, terms in zip(rows, versions(db, tariff), strict=True)
    ]


def list_versions(db: Session, actor: Actor, tariff: Tariff) -> list[dict[str, Any]]:
    actor.require("tariffs", "read")
    return version_views(db, tariff)


def publish_version(
    db: Session, actor: Actor, tariff: Tariff, body: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """Publish the document as the tariff's next version from its start_date_time on."""
    actor.require("tariffs", "update")
    try:
        document = parse_tariff_document(body)
    except TariffDocumentError as error:
        first = error.problems[0]
        raise InvalidField(first, field=first.partition(":")[0]) from None
    version = publish(db, tariff, document, now)
    db.refresh(version)
    view = next(v for v in version_views(db, tariff) if v["version"] == version.number)
    record(db, actor, "publish_version", "tariff", tariff.uuid, None, None, view)
    return view


def list_overrides(db: Session, actor: Actor, tariff: Tariff) -> list[TariffOverride]:
    actor.require("tariffs", "read")
    query = select(TariffOverride).where(TariffOverride.tariff_id == tariff.id)
    return list(db.scalars(query.order_by(TariffOverride.id)))


def assign(db: Session, actor: Actor, tariff: Tariff, body: OverrideBody) -> TariffOverride:
    """From now on the organisation's own cards pay `tariff` at the location (replacing
    any other override of theirs there)."""
    actor.require("tariffs", "update")
    organisation = _organisation(db, body.organisation_uuid, "organisation_uuid")
    location = db.scalar(
        select(Location).where(Location.uuid == uuid_of(body.location_uuid, "location_uuid"))
    )
    if location is None:
        raise InvalidField(
            f"location_uuid: no location {body.location_uuid}", field="location_uuid"
        )
    override = _override(db, organisation.id, location.id)
    before = override_view(db, override) if override is not None else None
    if override is None:
        override = TariffOverride(organisation_id=organisation.id, location_id=location.id)
        db.add(override)
    override.tariff_id = tariff.id
    override.tariff = tariff
    db.flush()
    after = override_view(db, override)
    record(db, actor, "assign_override", "tariff", tariff.uuid, None, before, after)
    return override


def remove(
    db: Session, actor: Actor, tariff: Tariff, organisation_uuid: UUID, location_uuid: UUID
) -> dict[str, Any]:
    actor.require("tariffs", "update")
    override = db.scalar(
        select(TariffOverride)
        .join(Organisation, Organisation.id == TariffOverride.organisation_id)
        .join(Location, Location.id == TariffOverride.location_id)
        .where(
            TariffOverride.tariff_id == tariff.id,
            Organisation.uuid == organisation_uuid,
            Location.uuid == location_uuid,
        )
    )
    if override is None:
        raise NotFound(f"tariff {tariff.uuid} has no override for that organisation there")
    before = override_view(db, override)
    db.delete(override)
    db.flush()
    record(db, actor, "remove_override", "tariff", tariff.uuid, None, before, None)
    return before


def _override(db: Session, organisation_id: int, location_id: int) -> TariffOverride | None:
    return db.scalar(
        select(TariffOverride).where(
            TariffOverride.organisation_id == organisation_id,
            TariffOverride.location_id == location_id,
        )
    )


def _organisation(db: Session, value: str, field: str) -> Organisation:
    try:
        wanted = select(Organisation).where(Organisation.uuid == UUID(value))
    except ValueError:
        wanted = select(Organisation).where(Organisation.name == value)
    organisation = db.scalar(wanted.limit(1))
    if organisation is None:
        raise InvalidField(f"{field}: no organisation {value!r}", field=field)
    return organisation
