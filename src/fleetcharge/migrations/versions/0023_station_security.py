"""certificates and security events of charge stations

station_security_events: the SecurityEventNotifications of each station (the newest
FLEETCHARGE_OCPP_SECURITY_EVENTS_KEPT kept); station_certificate_requests: each
SignCertificate, our answer, the certificate signed and the station's answer to
CertificateSigned; station_installed_certificates: what each station last listed in a
GetInstalledCertificateIds answer.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 17:00:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import fleetcharge.models.types

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> "sa.Column[int]":
    return sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False)


def _station(table: str) -> list[Any]:
    return [
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f(f"fk_{table}_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def _at(name: str, nullable: bool = False) -> "sa.Column[object]":
    return sa.Column(name, fleetcharge.models.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "station_security_events",
        _id(),
        *_station("station_security_events"),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("critical", sa.Boolean(), nullable=False),
        _at("occurred_at"),
        _at("received_at"),
        sa.Column("tech_info", sa.String(length=255), nullable=True),
    )
    op.create_index(
        "ix_station_security_events_station_id_id",
        "station_security_events",
        ["station_id", "id"],
    )
    op.create_index(
        "ix_station_security_events_station_id_type_id",
        "station_security_events",
        ["station_id", "type", "id"],
    )
    op.create_table(
        "station_certificate_requests",
        _id(),
        *_station("station_certificate_requests"),
        _at("received_at"),
        sa.Column("csr", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("serial_number", sa.String(length=40), nullable=True),
        sa.Column("certificate", sa.Text(), nullable=True),
        _at("valid_until", nullable=True),
        _at("signed_at", nullable=True),
        sa.Column("delivery", sa.String(length=12), nullable=True),
        sa.Column("delivery_detail", sa.String(length=200), nullable=True),
    )
    op.create_index(
        "ix_station_certificate_requests_station_id_id",
        "station_certificate_requests",
        ["station_id", "id"],
    )
    op.create_table(
        "station_installed_certificates",
        _id(),
        *_station("station_installed_certificates"),
        sa.Column("certificate_type", sa.String(length=40), nullable=False),
        sa.Column("hash_algorithm", sa.String(length=6), nullable=False),
        sa.Column("issuer_name_hash", sa.String(length=128), nullable=False),
        sa.Column("issuer_key_hash", sa.String(length=128), nullable=False),
        sa.Column("serial_number", sa.String(length=40), nullable=False),
        _at("reported_at"),
    )
    op.create_index(
        "ix_station_installed_certificates_station_id_id",
        "station_installed_certificates",
        ["station_id", "id"],
    )


def downgrade() -> None:
    op.drop_table("station_installed_certificates")
    op.drop_table("station_certificate_requests")
    op.drop_table("station_security_events")
