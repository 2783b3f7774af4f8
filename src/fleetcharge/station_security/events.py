"""The security events of the OCPP 1.6 security whitepaper (edition 3, section 8) that are
critical: a station pushes these to the central system with SecurityEventNotification, and
we log them at WARNING. Any other type a station sends is kept too (the list is open)."""

CRITICAL_EVENTS = frozenset(
    {
        "FirmwareUpdated",
        "SettingSystemTime",
        "StartupOfTheDevice",
        "ResetOrReboot",
        "SecurityLogWasCleared",
        "MemoryExhaustion",
        "TamperDetectionActivated",
    }
)
KNOWN_EVENTS = CRITICAL_EVENTS | frozenset(
    {
        "FailedToAuthenticateAtCentralSystem",
        "CentralSystemFailedToAuthenticate",
        "ReconfigurationOfSecurityParameters",
        "InvalidMessages",
        "AttemptedReplayAttacks",
        "InvalidFirmwareSignature",
        "InvalidFirmwareSigningCertificate",
        "InvalidCentralSystemCertificate",
        "InvalidChargePointCertificate",
        "InvalidTLSVersion",
        "InvalidTLSCipherSuite",
    }
)


def is_critical(event_type: str) -> bool:
    return event_type in CRITICAL_EVENTS
