"""Handing a message to the operator's SMTP relay (stdlib smtplib), as the settings say."""

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from fleetcharge.errors import DomainError
from fleetcharge.settings import Settings

DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


class SendingUnavailable(DomainError):
    """The deployment cannot send email: no relay or sender configured."""

    status_code = 503
    code = "sending_unavailable"


class DeliveryFailed(Exception):
    """The relay could not be reached, refused the login, the sender or every recipient."""


@dataclass(frozen=True)
class Relay:
    host: str
    port: int
    tls: str  # none | starttls | ssl
    sender: str
    timeout: float
    username: str | None = None
    password: str | None = None
    ca_file: Path | None = None


def relay_from(settings: Settings) -> Relay:
    missing = [
        name
        for name, value in (
            ("FLEETCHARGE_SMTP_HOST", settings.smtp_host),
            ("FLEETCHARGE_SMTP_FROM", settings.smtp_from),
        )
        if not value
    ]
    if missing:
        raise SendingUnavailable(
            f"email cannot be sent: set {' and '.join(missing)} (docs/invoice-sending.md)"
        )
    assert settings.smtp_host is not None and settings.smtp_from is not None
    if settings.smtp_username and settings.smtp_tls == "none":
        raise SendingUnavailable(
            "FLEETCHARGE_SMTP_USERNAME is set but FLEETCHARGE_SMTP_TLS is none: the password"
            " would cross the network in clear; use starttls or ssl"
        )
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return Relay(
        host=settings.smtp_host,
        port=settings.smtp_port or DEFAULT_PORTS[settings.smtp_tls],
        tls=settings.smtp_tls,
        sender=settings.smtp_from,
        timeout=settings.smtp_timeout,
        username=settings.smtp_username,
        password=password,
        ca_file=settings.smtp_ca_file,
    )


def deliver(relay: Relay, message: EmailMessage) -> list[str]:
    """Send `message` to the addresses of its To header; the recipients the relay refused
    (the others accepted it). Raises DeliveryFailed when it reached nobody."""
    try:
        context = ssl.create_default_context(cafile=relay.ca_file)
        client: smtplib.SMTP
        if relay.tls == "ssl":
            client = smtplib.SMTP_SSL(
                relay.host, relay.port, timeout=relay.timeout, context=context
            )
        else:
            client = smtplib.SMTP(relay.host, relay.port, timeout=relay.timeout)
        with client:
            if relay.tls == "starttls":
                # Refused (SMTPNotSupportedError) by a relay that does not offer it: never
                # fall back to plain text.
                client.starttls(context=context)
            if relay.username:
                client.login(relay.username, relay.password or "")
            refused = client.send_message(message, from_addr=relay.sender)
    except smtplib.SMTPRecipientsRefused as error:
        raise DeliveryFailed(f"every recipient refused: {_refusals(error.recipients)}") from None
    except smtplib.SMTPResponseException as error:
        text = (
            error.smtp_error.decode(errors="replace")
            if isinstance(error.smtp_error, bytes)
            else str(error.smtp_error)
        )
        raise DeliveryFailed(f"the relay answered {error.smtp_code} {text}") from None
    except smtplib.SMTPNotSupportedError as error:
        raise DeliveryFailed(f"the relay does not offer it: {error}") from None
    except UnicodeError as error:  # an address or login the relay cannot take
        raise DeliveryFailed(f"cannot be sent as it is: {error}") from None
    except (smtplib.SMTPException, ssl.SSLError, OSError) as error:
        raise DeliveryFailed(
            f"cannot reach the relay {relay.host}:{relay.port}: {_reason(error)}"
        ) from None
    return [_refusals({address: answer}) for address, answer in refused.items()]


def _refusals(recipients: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(
        f"{address}: {code} {text.decode(errors='replace')}"
        for address, (code, text) in recipients.items()
    )


def _reason(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error) or type(error).__name__
