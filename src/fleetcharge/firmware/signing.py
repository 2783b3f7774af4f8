"""The signature of a firmware image (SignedUpdateFirmware): its signing certificate (PEM)
and signature (base64), checked for form only; the station verifies them."""

import base64
import binascii

from cryptography import x509

from fleetcharge.errors import InvalidField

# OCPP's limits (SignedUpdateFirmware.firmware's signingCertificate and signature).
MAX_CERTIFICATE = 5500
MAX_SIGNATURE = 800


def check_signing(certificate: str, signature: str) -> tuple[str, str]:
    """The certificate and signature, stripped, if a PEM X.509 certificate and base64;
    else a 400 naming the field (`signingCertificate`, `signature`)."""
    certificate, signature = certificate.strip(), signature.strip()
    if len(certificate) > MAX_CERTIFICATE:
        raise InvalidField(
            f"signingCertificate: at most {MAX_CERTIFICATE} characters", field="signingCertificate"
        )
    try:
        x509.load_pem_x509_certificate(certificate.encode())
    except (ValueError, UnicodeEncodeError):
        raise InvalidField(
            "signingCertificate: not a PEM X.509 certificate", field="signingCertificate"
        ) from None
    if len(signature) > MAX_SIGNATURE:
        raise InvalidField(f"signature: at most {MAX_SIGNATURE} characters", field="signature")
    try:
        decoded = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidField("signature: not base64", field="signature") from None
    if not decoded:
        raise InvalidField("signature: empty", field="signature")
    return certificate, signature
