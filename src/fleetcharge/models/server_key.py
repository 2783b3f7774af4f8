from sqlalchemy import CheckConstraint, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from fleetcharge.models.base import Base

# The key of card pseudonyms (`charging.pseudonyms`).
CARD_PSEUDONYMS = "card_pseudonyms"
KEY_BYTES = 32


class ServerKey(Base):
    """A secret of the deployment that every process shares and no restart changes:
    random bytes that migration 0015 generates once per database. Never shown, logged or
    audited. Whoever can read this table can read the card ids it protects anyway."""

    __tablename__ = "server_keys"
    __table_args__ = (CheckConstraint(f"length(key) = {KEY_BYTES}", name="key_length"),)

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[bytes] = mapped_column(LargeBinary)
