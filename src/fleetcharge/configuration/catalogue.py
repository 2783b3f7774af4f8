"""The standard OCPP 1.6 configuration keys (specification section 9, and the security
whitepaper's), what each holds and how a value for it is checked before ChangeConfiguration.

Values travel as strings on the wire: booleans are "true"/"false", integers decimal, CSL a
comma-separated list. Write-only keys (AuthorizationKey) are never stored or shown in clear.
"""

import re
from dataclasses import dataclass
from enum import StrEnum

# OCPP 1.6 ChangeConfiguration: key CiString50Type, value CiString500Type.
MAX_KEY_LENGTH = 50
MAX_VALUE_LENGTH = 500
_INTEGER = re.compile(r"-?[0-9]{1,18}")


class KeyType(StrEnum):
    BOOLEAN = "boolean"
    INTEGER = "integer"
    CSL = "CSL"  # comma-separated list
    STRING = "string"


class Profile(StrEnum):
    CORE = "Core"
    LOCAL_AUTH_LIST = "LocalAuthListManagement"
    RESERVATION = "Reservation"
    SMART_CHARGING = "SmartCharging"
    FIRMWARE = "FirmwareManagement"
    SECURITY = "Security"


@dataclass(frozen=True)
class KeySpec:
    name: str
    type: KeyType
    profile: Profile
    readonly: bool = False
    unit: str | None = None
    # Never stored or shown: the station should not even report it (AuthorizationKey).
    write_only: bool = False
    minimum: int | None = None  # integers
    maximum: int | None = None
    # CSL: the members it may hold (None: any), and how many at most.
    members: frozenset[str] | None = None
    max_members: int | None = None
    # Strings: the values it may take (None: any), and their length bounds.
    choices: frozenset[str] | None = None
    min_length: int = 0
    max_length: int = MAX_VALUE_LENGTH


MEASURANDS = frozenset(
    {
        "Current.Export",
        "Current.Import",
        "Current.Offered",
        "Energy.Active.Export.Register",
        "Energy.Active.Import.Register",
        "Energy.Reactive.Export.Register",
        "Energy.Reactive.Import.Register",
        "Energy.Active.Export.Interval",
        "Energy.Active.Import.Interval",
        "Energy.Reactive.Export.Interval",
        "Energy.Reactive.Import.Interval",
        "Frequency",
        "Power.Active.Export",
        "Power.Active.Import",
        "Power.Factor",
        "Power.Offered",
        "Power.Reactive.Export",
        "Power.Reactive.Import",
        "RPM",
        "SoC",
        "Temperature",
        "Voltage",
    }
)
# A measurand may name a phase too (e.g. Voltage.L1) in some stations' lists; the standard
# names are what we check, with any .L1/.L2/.L3/.N suffix.
_PHASES = ("", ".L1", ".L2", ".L3", ".N", ".L1-N", ".L2-N", ".L3-N", ".L1-L2", ".L2-L3", ".L3-L1")
MEASURANDS_WITH_PHASES = frozenset(m + phase for m in MEASURANDS for phase in _PHASES)
PROFILES = frozenset(
    {
        "Core",
        "FirmwareManagement",
        "LocalAuthListManagement",
        "Reservation",
        "SmartCharging",
        "RemoteTrigger",
    }
)
CHARGING_RATE_UNITS = frozenset({"Current", "Power", "A", "W"})


def _boolean(name: str, profile: Profile = Profile.CORE, readonly: bool = False) -> KeySpec:
    return KeySpec(name, KeyType.BOOLEAN, profile, readonly)


def _integer(
    name: str,
    profile: Profile = Profile.CORE,
    *,
    unit: str | None = None,
    readonly: bool = False,
    minimum: int = 0,
    maximum: int | None = None,
) -> KeySpec:
    return KeySpec(name, KeyType.INTEGER, profile, readonly, unit, minimum=minimum, maximum=maximum)


def _measurands(name: str, profile: Profile = Profile.CORE, readonly: bool = False) -> KeySpec:
    return KeySpec(name, KeyType.CSL, profile, readonly, members=MEASURANDS_WITH_PHASES)


KEYS: dict[str, KeySpec] = {
    spec.name: spec
    for spec in (
        # 9.1 Core profile
        _boolean("AllowOfflineTxForUnknownId"),
        _boolean("AuthorizationCacheEnabled"),
        _boolean("AuthorizeRemoteTxRequests"),
        _integer("BlinkRepeat", unit="times"),
        _integer("ClockAlignedDataInterval", unit="seconds"),
        _integer("ConnectionTimeOut", unit="seconds"),
        KeySpec(
            "ConnectorPhaseRotation",
            KeyType.CSL,
            Profile.CORE,
            # Entries like "0.RST" or "1.NotApplicable": checked by the station.
        ),
        _integer("ConnectorPhaseRotationMaxLength", readonly=True),
        _integer("GetConfigurationMaxKeys", readonly=True),
        _integer("HeartbeatInterval", unit="seconds"),
        _integer("LightIntensity", unit="%", maximum=100),
        _boolean("LocalAuthorizeOffline"),
        _boolean("LocalPreAuthorize"),
        _integer("MaxEnergyOnInvalidId", unit="Wh"),
        _measurands("MeterValuesAlignedData"),
        _integer("MeterValuesAlignedDataMaxLength", readonly=True),
        _measurands("MeterValuesSampledData"),
        _integer("MeterValuesSampledDataMaxLength", readonly=True),
        _integer("MeterValueSampleInterval", unit="seconds"),
        _integer("MinimumStatusDuration", unit="seconds"),
        _integer("NumberOfConnectors", readonly=True),
        _integer("ResetRetries", unit="times"),
        _boolean("StopTransactionOnEVSideDisconnect"),
        _boolean("StopTransactionOnInvalidId"),
        _measurands("StopTxnAlignedData"),
        _integer("StopTxnAlignedDataMaxLength", readonly=True),
        _measurands("StopTxnSampledData"),
        _integer("StopTxnSampledDataMaxLength", readonly=True),
        KeySpec(
            "SupportedFeatureProfiles",
            KeyType.CSL,
            Profile.CORE,
            readonly=True,
            members=PROFILES,
        ),
        _integer("SupportedFeatureProfilesMaxLength", readonly=True),
        _integer("TransactionMessageAttempts", unit="times"),
        _integer("TransactionMessageRetryInterval", unit="seconds"),
        _boolean("UnlockConnectorOnEVSideDisconnect"),
        _integer("WebSocketPingInterval", unit="seconds"),
        # 9.2 Local Auth List Management profile
        _boolean("LocalAuthListEnabled", Profile.LOCAL_AUTH_LIST),
        _integer("LocalAuthListMaxLength", Profile.LOCAL_AUTH_LIST, readonly=True),
        _integer("SendLocalListMaxLength", Profile.LOCAL_AUTH_LIST, readonly=True),
        # 9.3 Reservation profile
        _boolean("ReserveConnectorZeroSupported", Profile.RESERVATION, readonly=True),
        # 9.4 Smart Charging profile
        _integer("ChargeProfileMaxStackLevel", Profile.SMART_CHARGING, readonly=True),
        KeySpec(
            "ChargingScheduleAllowedChargingRateUnit",
            KeyType.CSL,
            Profile.SMART_CHARGING,
            readonly=True,
            members=CHARGING_RATE_UNITS,
        ),
        _integer("ChargingScheduleMaxPeriods", Profile.SMART_CHARGING, readonly=True),
        _boolean("ConnectorSwitch3to1PhaseSupported", Profile.SMART_CHARGING, readonly=True),
        _integer("MaxChargingProfilesInstalled", Profile.SMART_CHARGING, readonly=True),
        # Firmware Management (section 9.1 of the 1.6 errata; the whitepaper's signed updates)
        KeySpec(
            "SupportedFileTransferProtocols",
            KeyType.CSL,
            Profile.FIRMWARE,
            readonly=True,
            members=frozenset({"FTP", "FTPS", "HTTP", "HTTPS", "SFTP"}),
        ),
        # The security whitepaper (edition 2)
        KeySpec("AdditionalRootCertificateCheck", KeyType.BOOLEAN, Profile.SECURITY, readonly=True),
        KeySpec(
            "AuthorizationKey",
            KeyType.STRING,
            Profile.SECURITY,
            write_only=True,
            # Hex of a 16 to 40 byte key (section 2.4 of the whitepaper, security profile 1-2).
            min_length=32,
            max_length=80,
        ),
        _integer("CertificateSignedMaxChainSize", Profile.SECURITY, readonly=True),
        _integer("CertificateStoreMaxLength", Profile.SECURITY, readonly=True),
        KeySpec("CpoName", KeyType.STRING, Profile.SECURITY, min_length=1),
        _integer("SecurityProfile", Profile.SECURITY, maximum=3),
    )
}


# Keys are case-insensitive (CiString50Type): a station may report authorizationkey.
_FOLDED = {name.casefold(): known for name, known in KEYS.items()}


def spec(key: str) -> KeySpec | None:
    """The standard key's description, whatever the case it is written in; None for a
    vendor's own key."""
    return _FOLDED.get(key.casefold())


def is_write_only(key: str) -> bool:
    known = spec(key)
    return known is not None and known.write_only


def check_value(key: str, value: str) -> str:
    """The value as it will be sent, if it suits the key's type (any value for a vendor key
    of its length); ValueError saying why not. Read-only keys are refused too."""
    if len(value) > MAX_VALUE_LENGTH:
        raise ValueError(f"a configuration value is at most {MAX_VALUE_LENGTH} characters")
    known = spec(key)
    if known is None:
        return value
    if known.readonly:
        raise ValueError(f"{key} is read-only")
    if known.type is KeyType.BOOLEAN:
        if value.lower() not in ("true", "false"):
            raise ValueError(f"{key} is a boolean: true or false")
        return value.lower()
    if known.type is KeyType.INTEGER:
        return _check_integer(known, value)
    if known.type is KeyType.CSL:
        return _check_list(known, value)
    return _check_string(known, value)


def _check_integer(known: KeySpec, value: str) -> str:
    text = value.strip()
    if not _INTEGER.fullmatch(text):
        raise ValueError(f"{known.name} is an integer{_unit(known)}")
    number = int(text)
    if known.minimum is not None and number < known.minimum:
        raise ValueError(f"{known.name} must be at least {known.minimum}{_unit(known)}")
    if known.maximum is not None and number > known.maximum:
        raise ValueError(f"{known.name} must be at most {known.maximum}{_unit(known)}")
    return str(number)


def _check_list(known: KeySpec, value: str) -> str:
    members = [member.strip() for member in value.split(",")] if value.strip() else []
    if any(not member for member in members):
        raise ValueError(f"{known.name} is a comma-separated list without empty members")
    if known.members is not None:
        unknown = [member for member in members if member not in known.members]
        if unknown:
            raise ValueError(f"{known.name} cannot hold {', '.join(unknown)}")
    return ",".join(members)


def _check_string(known: KeySpec, value: str) -> str:
    if len(value) < known.min_length:
        raise ValueError(f"{known.name} needs at least {known.min_length} characters")
    if len(value) > known.max_length:
        raise ValueError(f"{known.name} takes at most {known.max_length} characters")
    if known.choices is not None and value not in known.choices:
        raise ValueError(f"{known.name} is one of {', '.join(sorted(known.choices))}")
    if known.write_only and not (_is_hex(value) and len(value) % 2 == 0):
        raise ValueError(f"{known.name} is written in hexadecimal, two digits a byte")
    return value


def _is_hex(text: str) -> bool:
    return text.isascii() and all(c in "0123456789abcdefABCDEF" for c in text)


def _unit(known: KeySpec) -> str:
    return f" ({known.unit})" if known.unit else ""
