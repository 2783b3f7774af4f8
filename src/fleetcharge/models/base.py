import uuid as uuid_module
from datetime import UTC, datetime
from typing import ClassVar

from sqlalchemy import MetaData, Table, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from fleetcharge.models.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    __table__: ClassVar[Table]  # every model maps a table (not a join or a select)


class PublicIdMixin:
    """Integer primary key for joins, random UUID for the outside world."""

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid_module.UUID] = mapped_column(
        Uuid, unique=True, default=uuid_module.uuid4, nullable=False
    )


class VersionedMixin:
    """A counter the admin API bumps on every change it makes; its ETag, so that two
    operators editing one object cannot overwrite each other (If-Match)."""

    version: Mapped[int] = mapped_column(default=1, server_default="1", nullable=False)


class CreatedAtMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
