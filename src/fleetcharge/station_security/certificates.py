"""X.509 certificates as OCPP carries them: PEM text, and the hash data (issuer name and key
hashes, serial number) by which InstallCertificate, GetInstalledCertificateIds and
DeleteCertificate name a certificate."""

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509 import ocsp

# The longest certificate InstallCertificate carries, and the longest chain CertificateSigned.
MAX_CERTIFICATE_CHARS = 5500
MAX_CHAIN_CHARS = 10000
HASH_ALGORITHMS: dict[str, hashes.HashAlgorithm] = {
    "SHA256": hashes.SHA256(),
    "SHA384": hashes.SHA384(),
    "SHA512": hashes.SHA512(),
}


class CertificateProblem(ValueError):
    """What is wrong with a certificate, in a sentence."""


@dataclass(frozen=True)
class HashData:
    """OCPP's CertificateHashDataType: hex digests of the issuer's name (DER) and public key
    (as OCSP computes them, RFC 6960) and the serial number in hex without leading zeroes."""

    hash_algorithm: str
    issuer_name_hash: str
    issuer_key_hash: str
    serial_number: str

    def to_json(self) -> dict[str, str]:
        return {
            "hashAlgorithm": self.hash_algorithm,
            "issuerNameHash": self.issuer_name_hash,
            "issuerKeyHash": self.issuer_key_hash,
            "serialNumber": self.serial_number,
        }


def parse_certificates(pem: str) -> list[x509.Certificate]:
    """The certificates of a PEM text, in order; at least one."""
    try:
        found = x509.load_pem_x509_certificates(pem.encode())
    except ValueError:
        raise CertificateProblem("not a PEM-encoded X.509 certificate") from None
    return found


def hash_data(
    certificate: x509.Certificate, issuer: x509.Certificate, algorithm: str = "SHA256"
) -> HashData:
    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate(certificate, issuer, HASH_ALGORITHMS[algorithm])
        .build()
    )
    return HashData(
        hash_algorithm=algorithm,
        issuer_name_hash=request.issuer_name_hash.hex(),
        issuer_key_hash=request.issuer_key_hash.hex(),
        serial_number=format(certificate.serial_number, "x"),
    )


def hash_data_of_pem(pem: str, algorithm: str = "SHA256") -> HashData:
    """The hash data of the PEM's first certificate; its issuer is the PEM's second
    certificate, or itself when self-issued (a root)."""
    certificates = parse_certificates(pem)
    certificate = certificates[0]
    if len(certificates) > 1:
        issuer = certificates[1]
    elif certificate.issuer == certificate.subject:
        issuer = certificate
    else:
        raise CertificateProblem(
            "the certificate is not self-issued: follow it with its issuer's certificate"
        )
    if issuer.subject != certificate.issuer:
        raise CertificateProblem("the second certificate is not the first one's issuer")
    return hash_data(certificate, issuer, algorithm)


def root_certificate(pem: str, now: datetime) -> x509.Certificate:
    """The one CA certificate of an InstallCertificate, valid now."""
    if len(pem) > MAX_CERTIFICATE_CHARS:
        raise CertificateProblem(f"longer than OCPP's {MAX_CERTIFICATE_CHARS} characters")
    certificates = parse_certificates(pem)
    if len(certificates) != 1:
        raise CertificateProblem(f"one certificate expected, found {len(certificates)}")
    certificate = certificates[0]
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
        is_ca = constraints.value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        raise CertificateProblem("not a CA certificate (basicConstraints CA:TRUE)")
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise CertificateProblem(
            f"not valid now (valid from {certificate.not_valid_before_utc.isoformat()} "
            f"to {certificate.not_valid_after_utc.isoformat()})"
        )
    return certificate


def subject_text(certificate: x509.Certificate) -> str:
    return certificate.subject.rfc4514_string()
