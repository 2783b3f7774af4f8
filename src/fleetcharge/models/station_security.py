"""What the security extensions of OCPP 1.6 keep per station: the security events it
reported, its certificate signing requests (and the certificates signed for it), and the
certificates it last said it has installed. Written by fleetcharge.station_security."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fleetcharge.models.base import Base
from fleetcharge.models.session import BigId
from fleetcharge.models.types import UTCDateTime


class StationSecurityEvent(Base):
    """A SecurityEventNotification; only the newest (ocpp_security_events_kept) per station
    are kept."""

    __tablename__ = "station_security_events"
    __table_args__ = (
        Index("ix_station_security_events_station_id_id", "station_id", "id"),
        Index("ix_station_security_events_station_id_type_id", "station_id", "type", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    type: Mapped[str] = mapped_column(String(50))
    critical: Mapped[bool] = mapped_column(Boolean)  # per the whitepaper's list
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the station's timestamp
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tech_info: Mapped[str | None] = mapped_column(String(255))


class StationCertificateRequest(Base):
    """A SignCertificate: our answer, and the certificate signed and how the station took it
    (CertificateSigned). The newest per station are kept (CERTIFICATE_REQUESTS_KEPT)."""

    __tablename__ = "station_certificate_requests"
    __table_args__ = (Index("ix_station_certificate_requests_station_id_id", "station_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    csr: Mapped[str] = mapped_column(Text)  # PEM, at most 5,500 characters
    status: Mapped[str] = mapped_column(String(8))  # our answer: Accepted | Rejected
    reason: Mapped[str | None] = mapped_column(String(200))  # why Rejected, or signing failed
    serial_number: Mapped[str | None] = mapped_column(String(40))  # of the certificate signed
    certificate: Mapped[str | None] = mapped_column(Text)  # PEM of the certificate signed
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The station's answer to CertificateSigned (Accepted | Rejected), or what went wrong
    # sending it (error: CallError, timeout, disconnected).
    delivery: Mapped[str | None] = mapped_column(String(12))
    delivery_detail: Mapped[str | None] = mapped_column(String(200))


class StationInstalledCertificate(Base):
    """One certificate a station listed in its last GetInstalledCertificateIds answer for
    its type (replaced by each answer)."""

    __tablename__ = "station_installed_certificates"
    __table_args__ = (Index("ix_station_installed_certificates_station_id_id", "station_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    certificate_type: Mapped[str] = mapped_column(String(40))
    hash_algorithm: Mapped[str] = mapped_column(String(6))
    issuer_name_hash: Mapped[str] = mapped_column(String(128))
    issuer_key_hash: Mapped[str] = mapped_column(String(128))
    serial_number: Mapped[str] = mapped_column(String(40))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
