"""Certificates for the security extensions' tests: a station CA made the way operators make
one (`init_ca`), and CSRs as stations make them."""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from fleetcharge.station_security.authority import init_ca

CPO = "Fleetcharge Test CPO"


@dataclass(frozen=True)
class StationCa:
    certificate_file: Path
    key_file: Path

    @property
    def pem(self) -> str:
        return self.certificate_file.read_text()

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.certificate_file.read_bytes())

    def settings(self, cpo_name: str = CPO) -> dict[str, str]:
        """make_app's keyword arguments."""
        return {
            "station_ca_cert_file": str(self.certificate_file),
            "station_ca_key_file": str(self.key_file),
            "ocpp_cpo_name": cpo_name,
        }


def make_ca(folder: Path, name: str = "test station CA") -> StationCa:
    certificate, key = init_ca(folder, name, datetime.now(UTC))
    return StationCa(certificate, key)


def csr(
    common_name: str | None,
    organisation: str | None = CPO,
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | None = None,
) -> str:
    names = []
    if common_name is not None:
        names.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    if organisation is not None:
        names.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    signing_key = key or ec.generate_private_key(ec.SECP256R1())
    request = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name(names))
        .sign(signing_key, hashes.SHA256())
    )
    return request.public_bytes(serialization.Encoding.PEM).decode()
