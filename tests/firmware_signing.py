"""A signing certificate and signature for firmware images (SignedUpdateFirmware)."""

import base64
from datetime import UTC, datetime, timedelta
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@cache
def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@cache
def certificate_pem() -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fleetcharge firmware signing")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(_key().public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(_key(), hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def signature_of(content: bytes) -> str:
    return base64.b64encode(_key().sign(content, ec.ECDSA(hashes.SHA256()))).decode()
