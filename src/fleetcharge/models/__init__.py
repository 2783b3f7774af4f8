"""All ORM models, imported here so the metadata is complete for Alembic and tests."""

from fleetcharge.models.account import Account, AdminToken, ConsoleSession, PasswordResetToken
from fleetcharge.models.audit import AuditEvent, IdempotentRequest
from fleetcharge.models.base import Base
from fleetcharge.models.charging_profile import ChargingProfileRecord
from fleetcharge.models.configuration import StationConfigurationKey
from fleetcharge.models.firmware import (
    FirmwareFile,
    StationTransfer,
    StationTransferStatus,
    StationUpload,
)
from fleetcharge.models.invoice import (
    Invoice,
    InvoiceLineItem,
    InvoiceNumberCounter,
    InvoicePayment,
    InvoiceSession,
    InvoiceVehicle,
)
from fleetcharge.models.invoice_sending import InvoiceSending
from fleetcharge.models.local_list import LocalListEntry, LocalListState, LocationLocalList
from fleetcharge.models.location import Connector, Location, Station, StationTariffChange
from fleetcharge.models.ocpp import (
    ConnectorCurrentStatus,
    ConnectorStatus,
    OcppJournalProgress,
    OcppMeterValue,
    OcppRecentMessage,
    OcppTransaction,
    OcppUnmatchedMessage,
)
from fleetcharge.models.organisation import Fleet, Organisation
from fleetcharge.models.reservation import Reservation
from fleetcharge.models.review import SessionReview
from fleetcharge.models.server_key import ServerKey
from fleetcharge.models.session import (
    ChargeSession,
    ChargingPeriod,
    SessionDayCount,
    UsageDayTotal,
    UsageMonthTotal,
)
from fleetcharge.models.site import SessionChargingNeed, SiteCircuit, SiteLimitWindow, SitePower
from fleetcharge.models.site_control import SiteAllocation, SiteControlState
from fleetcharge.models.station_security import (
    StationCertificateRequest,
    StationInstalledCertificate,
    StationSecurityEvent,
)
from fleetcharge.models.tariff import Tariff, TariffOverride, TariffTerms, TariffVersion
from fleetcharge.models.token import ApiToken
from fleetcharge.models.vehicle import Card, CardAssignment, Vehicle, VehicleCount
from fleetcharge.models.webhook import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)

__all__ = [
    "Account",
    "AdminToken",
    "ApiToken",
    "AuditEvent",
    "Base",
    "Card",
    "CardAssignment",
    "ChargeSession",
    "ChargingPeriod",
    "ChargingProfileRecord",
    "Connector",
    "ConnectorCurrentStatus",
    "ConnectorStatus",
    "ConsoleSession",
    "FirmwareFile",
    "Fleet",
    "IdempotentRequest",
    "Invoice",
    "InvoiceLineItem",
    "InvoiceNumberCounter",
    "InvoicePayment",
    "InvoiceSending",
    "InvoiceSession",
    "InvoiceVehicle",
    "LocalListEntry",
    "LocalListState",
    "Location",
    "LocationLocalList",
    "OcppJournalProgress",
    "OcppMeterValue",
    "OcppRecentMessage",
    "OcppTransaction",
    "OcppUnmatchedMessage",
    "Organisation",
    "PasswordResetToken",
    "Reservation",
    "ServerKey",
    "SessionChargingNeed",
    "SessionDayCount",
    "SessionReview",
    "SiteAllocation",
    "SiteCircuit",
    "SiteControlState",
    "SiteLimitWindow",
    "SitePower",
    "Station",
    "StationCertificateRequest",
    "StationConfigurationKey",
    "StationInstalledCertificate",
    "StationSecurityEvent",
    "StationTariffChange",
    "StationTransfer",
    "StationTransferStatus",
    "StationUpload",
    "Tariff",
    "TariffOverride",
    "TariffTerms",
    "TariffVersion",
    "UsageDayTotal",
    "UsageMonthTotal",
    "Vehicle",
    "VehicleCount",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookSubscription",
]
