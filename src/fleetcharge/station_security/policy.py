"""The central system's settings for the security extensions, as one value."""

from dataclasses import dataclass, field

from fleetcharge.settings import Settings
from fleetcharge.station_security.authority import CertificateSigning


@dataclass(frozen=True)
class SecurityPolicy:
    signing: CertificateSigning = field(default_factory=lambda: CertificateSigning(None, None))
    events_kept: int = 1000  # security events kept per station

    @classmethod
    def from_settings(cls, settings: Settings) -> "SecurityPolicy":
        return cls(
            CertificateSigning(
                settings.station_ca_cert_file,
                settings.station_ca_key_file,
                settings.ocpp_cpo_name,
                settings.station_certificate_days,
            ),
            settings.ocpp_security_events_kept,
        )
