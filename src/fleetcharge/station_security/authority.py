"""The certificate authority that signs charge stations' client certificates (OCPP security
profile 3), from the certificate signing requests (CSR) stations send with SignCertificate.

A CSR is signed only when it is well formed (PEM, its signature checks out, an RSA key of
2048 bits or more or an EC key on P-256/P-384/P-521) and its subject names the station:
commonName = the station's OCPP identity (what profile 3 compares the identity with at
connection), organizationName = the CpoName when one is configured. The certificate keeps
only that subject and is for TLS client authentication only.
"""

import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from fleetcharge.station_security.certificates import CertificateProblem

MAX_CSR_CHARS = 5500
MIN_RSA_BITS = 2048
EC_CURVES = ("secp256r1", "secp384r1", "secp521r1")
# Signed certificates start this much before the signing, for stations whose clocks lag.
BACKDATE = timedelta(minutes=5)
CA_FILE, CA_KEY_FILE = "station-ca.pem", "station-ca-key.pem"
CA_DAYS = 3650

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class CsrRejected(ValueError):
    """Why a certificate signing request is not signed, in a sentence."""


@dataclass(frozen=True)
class CertificateAuthority:
    certificate: x509.Certificate
    key: SigningKey

    @classmethod
    def load(cls, certificate_file: Path, key_file: Path) -> "CertificateAuthority":
        try:
            certificate = x509.load_pem_x509_certificate(Path(certificate_file).read_bytes())
            key = serialization.load_pem_private_key(Path(key_file).read_bytes(), password=None)
        except (OSError, ValueError, TypeError) as error:
            raise CertificateProblem(f"the station CA cannot be loaded: {error}") from None
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise CertificateProblem("the station CA's key must be an RSA or EC key")
        if key.public_key().public_numbers() != certificate.public_key().public_numbers():  # type: ignore[union-attr]
            raise CertificateProblem("the station CA's key does not match its certificate")
        return cls(certificate, key)

    def sign(
        self, csr: x509.CertificateSigningRequest, days: int, now: datetime
    ) -> x509.Certificate:
        not_after = min(now + timedelta(days=days), self.certificate.not_valid_after_utc)
        public_key = csr.public_key()
        key_usage_for_ec = isinstance(public_key, ec.EllipticCurvePublicKey)
        builder = (
            x509.CertificateBuilder()
            .subject_name(csr.subject)
            .issuer_name(self.certificate.subject)
            .public_key(public_key)
            .serial_number(int.from_bytes(secrets.token_bytes(16), "big") >> 1)
            .not_valid_before(now - BACKDATE)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=not key_usage_for_ec,
                    data_encipherment=False,
                    key_agreement=key_usage_for_ec,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
        )
        return builder.sign(self.key, hashes.SHA256())

    def chain_pem(self, certificate: x509.Certificate) -> str:
        """The station's certificate followed by the CA's: CertificateSigned's chain."""
        return "".join(
            c.public_bytes(serialization.Encoding.PEM).decode()
            for c in (certificate, self.certificate)
        )


@dataclass(frozen=True)
class CertificateSigning:
    """What the central system needs to sign station certificates (from the settings)."""

    certificate_file: Path | None
    key_file: Path | None
    cpo_name: str | None = None
    days: int = 365

    @property
    def configured(self) -> bool:
        return self.certificate_file is not None and self.key_file is not None

    def authority(self) -> CertificateAuthority:
        """Read from its files each time: a CA replaced on disk is used from the next CSR."""
        if self.certificate_file is None or self.key_file is None:
            raise CertificateProblem("no station CA is configured")
        return CertificateAuthority.load(self.certificate_file, self.key_file)


def check_csr(pem: str, identity: str, cpo_name: str | None) -> x509.CertificateSigningRequest:
    """The CSR, if it may be signed for the station `identity`; else CsrRejected."""
    if len(pem) > MAX_CSR_CHARS:
        raise CsrRejected(f"the CSR is longer than {MAX_CSR_CHARS} characters")
    try:
        csr = x509.load_pem_x509_csr(pem.encode())
        valid = csr.is_signature_valid
        public_key = csr.public_key()
    except (ValueError, TypeError, InvalidSignature):
        raise CsrRejected("not a PEM-encoded certificate signing request (PKCS #10)") from None
    if not valid:
        raise CsrRejected("the CSR's signature does not match its key")
    if isinstance(public_key, rsa.RSAPublicKey):
        if public_key.key_size < MIN_RSA_BITS:
            raise CsrRejected(f"an RSA key of {public_key.key_size} bits (at least {MIN_RSA_BITS})")
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        if public_key.curve.name not in EC_CURVES:
            raise CsrRejected(f"the EC curve {public_key.curve.name} is not accepted")
    else:
        raise CsrRejected("the CSR's key is neither RSA nor EC")
    names = _attributes(csr.subject, NameOID.COMMON_NAME)
    if names != [identity]:
        raise CsrRejected(f"the subject's commonName must be the station's identity {identity!r}")
    if cpo_name is not None and _attributes(csr.subject, NameOID.ORGANIZATION_NAME) != [cpo_name]:
        raise CsrRejected(f"the subject's organizationName must be the CpoName {cpo_name!r}")
    return csr


def _attributes(name: x509.Name, oid: x509.ObjectIdentifier) -> list[str]:
    return [str(attribute.value) for attribute in name.get_attributes_for_oid(oid)]


def init_ca(
    directory: Path, common_name: str, now: datetime, days: int = CA_DAYS
) -> tuple[Path, Path]:
    """A new CA (EC P-256 key) in `directory`: its certificate and key files. Refuses to
    replace existing files."""
    directory.mkdir(parents=True, exist_ok=True)
    certificate_file, key_file = directory / CA_FILE, directory / CA_KEY_FILE
    for path in (certificate_file, key_file):
        if path.exists():
            raise CertificateProblem(f"{path} exists already: not replaced")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(key_bytes)
    certificate_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return certificate_file, key_file
