"""The simulated station's certificate store and certificate checks, without a network."""

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fleetcharge.simulator.security import MAX_ROOTS, StationSecurity
from fleetcharge.station_security.authority import CertificateAuthority, check_csr
from tests.station_security.pki import csr, make_ca

ROOT = "CentralSystemRootCertificate"


def test_roots_csr_and_the_chain_it_accepts(tmp_path: Path) -> None:
    sent: list[Any] = []

    async def send(payload: Any) -> Any:
        sent.append(payload)
        return None  # as if answered with a CallError

    security = StationSecurity("CP1", "CPO", send, lambda: "2026-12-03T12:00:00Z")
    ca, other = make_ca(tmp_path / "ca"), make_ca(tmp_path / "other")
    authority = CertificateAuthority.load(ca.certificate_file, ca.key_file)

    assert security.install(ROOT, "junk") == "Rejected"
    assert security.install(ROOT, ca.pem) == "Accepted"
    assert security.install(ROOT, ca.pem) == "Accepted"  # the same one, once
    assert security.install("ManufacturerRootCertificate", other.pem) == "Accepted"
    (listed,) = security.installed(ROOT)
    assert security.installed("ManufacturerRootCertificate") != [listed]

    # A chain without a CSR of ours is refused.
    stray = authority.sign(check_csr(csr_of(security), "CP1", "CPO"), 30, datetime.now(UTC))
    assert security.accept_chain(authority.chain_pem(stray)) == "Rejected"

    asyncio.run(security.request_certificate())
    (request,) = sent
    assert security.csr_answers == ["CallError"]
    ours = check_csr(request.csr, "CP1", "CPO")  # CN=CP1, O=CPO
    now = datetime.now(UTC)
    # Signed by a CA that is only a manufacturer root: refused.
    other_authority = CertificateAuthority.load(other.certificate_file, other.key_file)
    foreign = other_authority.chain_pem(other_authority.sign(ours, 30, now))
    assert security.accept_chain(foreign) == "Rejected"
    assert security.key is None
    signed = authority.sign(ours, 30, now)
    assert security.accept_chain(authority.chain_pem(signed)) == "Accepted"
    assert security.certificate_chain[0] == signed
    assert security.tls_context(None) is not None

    assert security.delete(listed) == "Accepted"
    assert security.delete(listed) == "NotFound"
    for number in range(MAX_ROOTS - 1):
        assert security.install(ROOT, make_ca(tmp_path / f"r{number}").pem) == "Accepted"
    assert security.install(ROOT, make_ca(tmp_path / "full").pem) == "Failed"


def csr_of(security: StationSecurity) -> str:
    return csr(security.station_id, "CPO")
