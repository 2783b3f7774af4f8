"""Charge stations' security (OCPP 1.6 security whitepaper): their security events, the
certificate authority that signs their client certificates, and the certificates installed
on them."""
