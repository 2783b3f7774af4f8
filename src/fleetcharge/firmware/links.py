"""The links a station fetches or sends one file with. Stations cannot send our Bearer
tokens, so each request gets a URL of its own holding a random token: only its SHA-256 is
kept, it reaches that request's file only, and it stops working when it expires."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from fleetcharge.settings import Settings

FILES_PATH = "/ocpp-files"
# What a stored request shows in place of the token.
HIDDEN = "<token>"
DEFAULT_UPLOAD_NAME = "upload.bin"


@dataclass(frozen=True)
class FileSettings:
    firmware_max_bytes: int
    upload_max_bytes: int
    # Where stations reach us (None: the operator request's own base URL).
    base_url: str | None
    link_lifetime: timedelta

    @classmethod
    def of(cls, settings: Settings) -> "FileSettings":
        return cls(
            firmware_max_bytes=settings.firmware_max_bytes,
            upload_max_bytes=settings.station_upload_max_bytes,
            base_url=settings.ocpp_file_base_url or settings.public_base_url,
            link_lifetime=timedelta(hours=settings.ocpp_file_link_hours),
        )


@dataclass(frozen=True)
class Link:
    token: str
    base_url: str
    expires_at: datetime

    @property
    def sha256(self) -> str:
        return token_sha256(self.token)

    def url(self, name: str | None = None) -> str:
        """The link, ending with the file's name if given (stations keep it as the name)."""
        url = f"{self.base_url.rstrip('/')}{FILES_PATH}/{self.token}"
        return f"{url}/{quote(name, safe='')}" if name else url

    def hidden(self, url: str) -> str:
        return url.replace(self.token, HIDDEN)


def new_link(base_url: str, expires_at: datetime) -> Link:
    return Link(secrets.token_urlsafe(32), base_url, expires_at)


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
