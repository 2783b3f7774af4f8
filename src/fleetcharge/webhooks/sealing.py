"""Signing secrets sealed at rest (Fernet: AES-128-CBC + HMAC-SHA256).

A signing secret cannot be stored hashed like API tokens: the server itself needs it back
to sign every delivery. It is encrypted instead, with keys that live in the settings
(FLEETCHARGE_WEBHOOKS_SECRET_KEY), not in the database: a copy of the database alone
(a backup, a read-only leak) does not reveal the secrets."""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from fleetcharge.errors import DomainError
from fleetcharge.settings import get_settings


class SecretKeyMissing(DomainError):
    status_code = 503
    code = "webhooks_not_configured"


class SecretKeyWrong(DomainError):
    status_code = 500
    code = "webhooks_secret_key_wrong"


def generate_key() -> str:
    return Fernet.generate_key().decode()


def _keys(setting: str | None) -> MultiFernet:
    names = [key.strip() for key in (setting or "").split(",") if key.strip()]
    if not names:
        raise SecretKeyMissing(
            "webhooks need FLEETCHARGE_WEBHOOKS_SECRET_KEY set "
            "(make one with `fleetcharge webhooks generate-key`)"
        )
    try:
        return MultiFernet([Fernet(name) for name in names])
    except ValueError as error:
        raise SecretKeyMissing(
            "FLEETCHARGE_WEBHOOKS_SECRET_KEY is not a list of Fernet keys "
            "(32 url-safe base64-encoded bytes each)"
        ) from error


def seal(secret: str, key_setting: str | None = None) -> str:
    keys = _keys(key_setting if key_setting is not None else get_settings().webhooks_secret_key)
    return keys.encrypt(secret.encode()).decode()


def unseal(sealed: str, key_setting: str | None = None) -> str:
    keys = _keys(key_setting if key_setting is not None else get_settings().webhooks_secret_key)
    try:
        return keys.decrypt(sealed.encode()).decode()
    except InvalidToken as error:
        raise SecretKeyWrong(
            "a webhook signing secret cannot be unsealed with FLEETCHARGE_WEBHOOKS_SECRET_KEY "
            "(was the key replaced without keeping the old one?)"
        ) from error
