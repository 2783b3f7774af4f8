"""The one settings object; every value can be set with a FLEETCHARGE_* environment variable."""

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from uuid import UUID

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = f"sqlite:///{Path.cwd() / 'fleetcharge.db'}"
DEFAULT_JOURNAL_DIR = Path.cwd() / "ocpp-journal"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FLEETCHARGE_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    # Shared state across processes (rate-limit counters, which process holds a station's
    # socket); in-process when unset.
    redis_url: str | None = None
    redis_key_prefix: str = "fleetcharge"
    # Name of the charging network this deployment runs; shown as `location.operator.name`.
    operator_name: str = "Fleetcharge Network"
    # The operator's legal name (default: operator_name) and ABN, the supplier on its tax
    # invoices and the recipient on RCTIs. Tax invoice PDFs need the ABN.
    operator_legal_name: str | None = None
    operator_abn: str | None = None
    # The operator's contact details on its documents (the address may span lines: `\n`).
    operator_address: str | None = None
    operator_phone: str | None = None
    operator_email: str | None = None
    # How customers pay invoices, printed on them: a bank account (name, BSB, number)
    # and/or a BPAY biller code; either comes with the invoice's reference number.
    payment_account_name: str | None = None
    payment_bsb: str | None = None
    payment_account_number: str | None = None
    payment_bpay_biller_code: str | None = None
    # Accounting export (`fleetcharge export invoices|payments --format xero|myob`): the
    # account codes and tax types the imported lines are coded to, exactly as the accounting
    # system names them. Unset: Xero's or MYOB's sample chart (docs/accounting-export.md).
    accounting_sales_account: str | None = None
    accounting_rcti_account: str | None = None
    accounting_bank_account: str | None = None
    accounting_tax_type_gst: str | None = None
    accounting_tax_type_free: str | None = None
    accounting_rcti_tax_type_gst: str | None = None
    accounting_rcti_tax_type_free: str | None = None
    # Public base URL used in `pagination.next` and redirects; by default taken from the
    # request (its Host, when allowed).
    public_base_url: str | None = None
    # Host names HTTP requests may name (comma-separated), beside loopback and the hosts of
    # public_base_url and ocpp_file_base_url; a request naming another is refused, so no
    # link or redirect points elsewhere. `*`: any (only behind a proxy that checks Host itself).
    allowed_hosts: str = ""
    # Addresses of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed
    # (comma-separated, or `*`); none by default.
    trusted_proxies: str = ""
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"
    # Seconds `serve` waits for in-flight requests on shutdown (SIGTERM / Ctrl-C).
    graceful_shutdown_seconds: int = 30
    # Fleets API rate limits per token and endpoint: `N/period` windows joined by `;`, or
    # `off`. Defaults are the published table; organisations may override them.
    rate_limits_enabled: bool = True
    rate_limit_usage: str = "18/15minutes;50/hour"
    rate_limit_sessions: str = "18/15minutes;50/hour"
    rate_limit_invoices: str = "18/hour"
    rate_limit_vehicles: str = "off"

    # OCPP central system (ws://host:port/ocpp/{station identity}).
    # Stations prove who they are with a password (HTTP Basic auth, OCPP security profiles 1
    # and 2) or a client certificate (profile 3). True lets stations without either connect:
    # only for a closed test bench; it is logged as a warning at start-up.
    ocpp_allow_unauthenticated: bool = False
    # TLS (https:// and wss://, profile 2): the server's certificate chain and private key,
    # PEM files. With a client CA (profile 3), a station may present a certificate issued by
    # it whose subject's common name is its identity, instead of a password.
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    tls_client_ca_file: Path | None = None
    # The certificate authority that signs charge stations' client certificates
    # (SignCertificate, OCPP security whitepaper): its certificate and private key, PEM files
    # (`fleetcharge certificates init-ca` makes one). Unless tls_client_ca_file is set, it is
    # also the CA profile 3 verifies client certificates against; if it is, that file must
    # hold this certificate. Unset: certificate signing requests are Rejected.
    station_ca_cert_file: Path | None = None
    station_ca_key_file: Path | None = None
    # The organisation (O) a station's certificate signing request must name: the CpoName
    # configuration key of the whitepaper. Unset: any.
    ocpp_cpo_name: str | None = None
    # Days a signed station certificate is valid (never beyond the CA's own certificate).
    station_certificate_days: int = Field(default=365, ge=1, le=3650)
    # The security events (SecurityEventNotification) kept per station: the newest N; older
    # ones are deleted as new ones arrive, so a station cannot grow the database unbounded.
    ocpp_security_events_kept: int = Field(default=1000, ge=1, le=100_000)
    # Unknown stations are created under this location (its uuid), pending an operator's
    # approval (their sessions held until then); unset = rejected.
    ocpp_auto_register_location: UUID | None = None
    # At most this many stations auto-registered (`N/period` windows joined by `;`, or
    # `off`), counted across processes with Redis; a new station beyond it is refused (429).
    ocpp_auto_register_limit: str = "10/minute"
    # Station connections one process holds at most (about 25 KiB of memory and one open
    # file each); one more is refused with 503. Sized for 10,000 stations and room to spare.
    ocpp_max_connections: int = 20_000
    # Handshakes under way (not yet authenticated) at most per process, and from one
    # address; beyond either, 503. Behind a proxy, set trusted_proxies so that addresses are
    # the stations'.
    ocpp_max_handshakes: int = 500
    ocpp_max_handshakes_per_address: int = 20
    # Authorize requests per connection: each `N/period` window is a bucket of N refilled
    # at N per period (20/minute: 20 swipes at once, then one every 3 s); beyond, a
    # CallError (see csms/authorize_limit.py).
    ocpp_authorize_limit: str = "20/minute"
    # The heartbeat interval (seconds) BootNotification asks stations to use.
    ocpp_heartbeat_interval: int = 300
    # A station timestamp further than this in the future of its receipt is replaced by the
    # receipt time (and flagged); one older than ocpp_max_offline_days likewise, as no
    # station queues transactions for that long (clocks reset to 1970 or 2000 do happen).
    ocpp_max_clock_skew_minutes: int = 15
    ocpp_max_offline_days: int = 30
    # The largest WebSocket frame a station may send (OCPP frames are a few KiB); a bigger
    # one closes its connection with 1009.
    ocpp_max_frame_bytes: int = 1024 * 1024
    # Seconds an operator command waits for the station's answer.
    ocpp_command_timeout_seconds: float = 30.0
    # Ask each station for its configuration (GetConfiguration) after each BootNotification,
    # and store it (see fleetcharge.configuration).
    ocpp_read_configuration_on_boot: bool = False
    # Transaction messages answered while the database is unavailable are kept here (fsync'd)
    # until they are applied: a directory on persistent local disk, shared by the processes
    # of one machine (each writes a file of its own). Empty: none kept (they fail).
    ocpp_journal_dir: Path | None = DEFAULT_JOURNAL_DIR
    # transactionIds each process keeps reserved for StartTransactions during an outage.
    ocpp_outage_transaction_ids: int = Field(default=1000, ge=0, le=1_000_000)
    # With Redis: how often each process refreshes its entry in the shared station registry
    # (its liveness and its stations' last_seen); a process silent for three periods is gone.
    ocpp_registry_refresh_seconds: float = 15.0
    # The last frames exchanged with each station kept for the console's station page (a
    # ring per station in the database, written in batches); 0 keeps none.
    ocpp_recent_messages: int = Field(default=50, ge=0, le=1000)
    # An open transaction nothing was heard of (no meter value, no status of its connector)
    # for this many hours is settled: ended at its last evidence, its session held for
    # review, its card free again (docs/ocpp.md, "Transactions"). 0: never.
    ocpp_open_transaction_expiry_hours: float = Field(default=24, ge=0, le=24 * 365)
    # Firmware images operators upload, and the diagnostics and logs stations upload, are
    # kept in the database (every server process serves them); at most this many bytes
    # each, a bigger one refused (413).
    firmware_max_bytes: int = Field(default=64 * 1024 * 1024, ge=1)
    station_upload_max_bytes: int = Field(default=16 * 1024 * 1024, ge=1)
    # The base URL stations reach this server at, for the links they download firmware from
    # and upload diagnostics and logs to (e.g. https://csms.example.com); default
    # public_base_url, else the base URL of the operator's request.
    ocpp_file_base_url: str | None = None
    # Hours such a link works: from its request, or from a firmware's retrieve time.
    ocpp_file_link_hours: float = Field(default=24, gt=0, le=24 * 366)
    # How often each process brings its stations' local lists in step with the cards
    # (docs/ocpp.md, Local Auth List Management); 0: never on its own.
    ocpp_local_list_seconds: float = Field(default=60.0, ge=0)
    # Smart charging (docs/smart-charging.md, "The control loop"): every site with a power
    # limit is allocated again at least this often (seconds), besides on sessions starting and
    # stopping, vehicles drawing clearly less than their limit and changes to the site.
    smart_charging_interval_s: float = Field(default=60.0, ge=5, le=3600)

    # Emailing documents to organisations' billing contacts (`fleetcharge invoices send`,
    # `invoices remind`): the SMTP relay, how the connection is secured (`starttls` upgrades
    # a plain connection, port 587 by default; `ssl` is TLS from the start, port 465;
    # `none` only for a relay on a trusted network, port 25), the login if the relay wants
    # one, and the sender address. No host or sender: nothing can be sent.
    smtp_host: str | None = None
    smtp_port: int | None = Field(default=None, ge=1, le=65535)
    smtp_tls: Literal["none", "starttls", "ssl"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = None
    # Seconds to wait for the relay (connecting, and each answer) before the sending fails.
    smtp_timeout: float = Field(default=30.0, gt=0, le=600)
    # Certificate authorities (PEM) the relay's certificate is verified against, instead of
    # the system's: for a relay with a private CA. Verification is never turned off.
    smtp_ca_file: Path | None = None
    # At most one payment reminder per overdue document in this many days.
    invoice_reminder_days: int = Field(default=7, ge=1, le=365)
    # Webhooks (docs/webhooks.md). Signing secrets are sealed at rest with these Fernet keys
    # (comma-separated; the first seals, all unseal, so a key can be replaced in steps);
    # `fleetcharge webhooks generate-key` makes one. Unset: no subscription can be created.
    webhooks_secret_key: str | None = None
    # Run a dispatcher in each `serve` process (else only `fleetcharge webhooks worker`).
    webhooks_dispatcher_enabled: bool = True
    # Seconds a dispatcher waits between looks for due deliveries when it found none.
    webhooks_poll_seconds: float = Field(default=0.2, gt=0, le=60)
    # Deliveries one dispatcher claims at once, and at most this many of one subscription.
    webhooks_batch_size: int = Field(default=100, ge=1, le=10_000)
    webhooks_batch_per_subscription: int = Field(default=20, ge=1, le=1000)
    # Requests under way at once per dispatcher (to different subscriptions).
    webhooks_concurrency: int = Field(default=16, ge=1, le=256)
    # Seconds a claim lasts: a dispatcher that dies mid-batch leaves its deliveries to
    # others after this long. Must exceed a batch's requests (timeouts included).
    webhooks_claim_seconds: float = Field(default=300, ge=1, le=3600)
    # Seconds to connect, and for the whole request, per attempt.
    webhooks_connect_timeout_seconds: float = Field(default=5, gt=0, le=60)
    webhooks_timeout_seconds: float = Field(default=10, gt=0, le=120)
    # Retries: the first after about this many seconds, doubling (with jitter) up to the
    # cap, for the window; then the delivery is failed.
    webhooks_retry_first_seconds: float = Field(default=30, gt=0, le=3600)
    webhooks_retry_max_seconds: float = Field(default=3 * 3600, gt=0, le=86_400)
    webhooks_retry_window_hours: float = Field(default=72, gt=0, le=24 * 30)
    # A subscription whose every attempt failed for this many days is disabled.
    webhooks_disable_after_days: float = Field(default=3, gt=0, le=365)
    # How long the replaced secret keeps signing after a rotation (default).
    webhooks_rotation_overlap_hours: float = Field(default=24, ge=0, le=24 * 30)
    # Targets must be https:// unless this is set (tests, development).
    webhooks_allow_http: bool = False
    # Targets may be (or resolve to) loopback, private, link-local or reserved addresses:
    # only for tests and development, never in production (server-side request forgery).
    webhooks_allow_private_targets: bool = False

    @field_validator(
        "ocpp_auto_register_location",
        "ocpp_journal_dir",
        "tls_cert_file",
        "tls_key_file",
        "tls_client_ca_file",
        "station_ca_cert_file",
        "station_ca_key_file",
        "ocpp_cpo_name",
        "operator_address",
        "operator_phone",
        "operator_email",
        "payment_account_name",
        "payment_bsb",
        "payment_account_number",
        "payment_bpay_biller_code",
        "smtp_host",
        "smtp_port",
        "smtp_username",
        "smtp_password",
        "smtp_from",
        "smtp_ca_file",
        "webhooks_secret_key",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    def allowed_host_names(self) -> frozenset[str] | None:
        """The Host names answered (lower case, no port); None: any."""
        names = {name.strip().lower() for name in self.allowed_hosts.split(",") if name.strip()}
        if "*" in names:
            return None
        names |= {"localhost", "127.0.0.1", "[::1]", "::1"}
        for base_url in (self.public_base_url, self.ocpp_file_base_url):
            public = urlsplit(base_url).hostname if base_url else None
            if public:
                names.add(public.lower())
        return frozenset(names)

    def rate_limit_defaults(self) -> dict[str, str]:
        return {
            "usage": self.rate_limit_usage,
            "sessions": self.rate_limit_sessions,
            "invoices": self.rate_limit_invoices,
            "vehicles": self.rate_limit_vehicles,
        }


@lru_cache
def get_settings() -> Settings:
    return Settings()
