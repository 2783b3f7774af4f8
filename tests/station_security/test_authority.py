"""The station CA: which CSRs it signs, what it signs, and the settings that name it."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from fleetcharge.csms.tls import check_files, client_ca_file, uvicorn_options
from fleetcharge.settings import Settings
from fleetcharge.station_security.authority import (
    CertificateAuthority,
    CertificateSigning,
    CsrRejected,
    check_csr,
)
from fleetcharge.station_security.certificates import (
    CertificateProblem,
    hash_data_of_pem,
    root_certificate,
)
from tests.station_security.pki import CPO, StationCa, csr, make_ca

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> StationCa:
    return make_ca(tmp_path_factory.mktemp("ca"))


def test_the_csr_rules() -> None:
    assert check_csr(csr("CP1"), "CP1", CPO).subject.rfc4514_string() == f"O={CPO},CN=CP1"
    assert check_csr(csr("CP1", None), "CP1", None)  # no CpoName configured: any O, or none
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert check_csr(csr("CP1", key=rsa_key), "CP1", CPO)
    with pytest.raises(CsrRejected, match="the EC curve secp192r1 is not accepted"):
        check_csr(csr("CP1", key=ec.generate_private_key(ec.SECP192R1())), "CP1", CPO)
    with pytest.raises(CsrRejected, match="commonName must be the station's identity 'CP1'"):
        check_csr(csr("cp1"), "CP1", CPO)
    with pytest.raises(CsrRejected, match="organizationName must be the CpoName"):
        check_csr(csr("CP1", None), "CP1", CPO)
    with pytest.raises(CsrRejected, match="longer than 5500"):
        check_csr("x" * 5501, "CP1", CPO)
    # A CSR whose signature was made by another key than the one it carries.
    genuine = csr("CP1")
    body = genuine.splitlines()
    tampered = "\n".join([*body[:-3], body[-3][:-8] + "AAAAAAAA", *body[-2:]])
    with pytest.raises(CsrRejected):
        check_csr(tampered, "CP1", CPO)


def test_what_is_signed(ca: StationCa) -> None:
    authority = CertificateAuthority.load(ca.certificate_file, ca.key_file)
    certificate = authority.sign(check_csr(csr("CP1"), "CP1", CPO), 30, NOW)
    certificate.verify_directly_issued_by(ca.certificate)
    assert certificate.not_valid_before_utc == NOW - timedelta(minutes=5)
    assert certificate.not_valid_after_utc == NOW + timedelta(days=30)
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.key_agreement and not usage.key_cert_sign
    # Never valid beyond the CA itself.
    long = authority.sign(check_csr(csr("CP1"), "CP1", CPO), 3650 * 3, NOW)
    assert long.not_valid_after_utc == ca.certificate.not_valid_after_utc
    (leaf, issuer) = x509.load_pem_x509_certificates(authority.chain_pem(certificate).encode())
    assert (leaf, issuer) == (certificate, ca.certificate)
    # The hash data of a signed certificate needs its issuer: the chain has it.
    assert hash_data_of_pem(authority.chain_pem(certificate)).serial_number == format(
        certificate.serial_number, "x"
    )
    with pytest.raises(CertificateProblem, match="follow it with its issuer's certificate"):
        hash_data_of_pem(
            authority.chain_pem(certificate).split("-----END CERTIFICATE-----")[0]
            + "-----END CERTIFICATE-----\n"
        )


def test_a_ca_whose_key_is_not_its_own_is_refused(ca: StationCa, tmp_path: Path) -> None:
    other = make_ca(tmp_path / "other")
    with pytest.raises(CertificateProblem, match="does not match its certificate"):
        CertificateAuthority.load(ca.certificate_file, other.key_file)
    assert not CertificateSigning(None, None).configured
    with pytest.raises(CertificateProblem, match="no station CA is configured"):
        CertificateSigning(ca.certificate_file, None).authority()


def test_installable_roots_are_ca_certificates_valid_now(ca: StationCa) -> None:
    assert root_certificate(ca.pem, datetime.now(UTC)) == ca.certificate
    with pytest.raises(CertificateProblem, match="not valid now"):
        root_certificate(ca.pem, datetime.now(UTC) + timedelta(days=3651))
    leaf = trustme.CA().issue_cert("station.test").cert_chain_pems[0].bytes().decode()
    with pytest.raises(CertificateProblem, match="not a CA certificate"):
        root_certificate(leaf, datetime.now(UTC))


def test_profile_3_trusts_the_station_ca_unless_a_client_ca_file_says_otherwise(
    ca: StationCa, tmp_path: Path
) -> None:
    server = trustme.CA()
    server_pem = tmp_path / "server.pem"
    server.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(server_pem))
    station_ca = {
        "station_ca_cert_file": ca.certificate_file,
        "station_ca_key_file": ca.key_file,
    }
    settings = Settings(tls_cert_file=server_pem, **station_ca)  # type: ignore[arg-type]
    assert client_ca_file(settings) == ca.certificate_file
    assert uvicorn_options(settings)["ssl_ca_certs"] == str(ca.certificate_file)
    assert check_files(settings) is None

    unrelated = tmp_path / "unrelated.pem"
    server.cert_pem.write_to_path(str(unrelated))
    mismatch = Settings(
        tls_cert_file=server_pem,
        tls_client_ca_file=unrelated,
        **station_ca,  # type: ignore[arg-type]
    )
    assert check_files(mismatch) == (
        f"the client CA file {unrelated} does not hold the station CA's certificate "
        f"{ca.certificate_file}: profile 3 would refuse what it signs"
    )
    both = tmp_path / "both.pem"
    both.write_text(unrelated.read_text() + ca.pem)
    bundle = Settings(tls_cert_file=server_pem, tls_client_ca_file=both, **station_ca)  # type: ignore[arg-type]
    assert check_files(bundle) is None
    assert uvicorn_options(bundle)["ssl_ca_certs"] == str(both)

    alone = Settings(station_ca_cert_file=ca.certificate_file)
    assert check_files(alone) == (
        "FLEETCHARGE_STATION_CA_CERT_FILE and FLEETCHARGE_STATION_CA_KEY_FILE go together"
    )
