"""Small builders for test data, going through the same recording path as production."""

import hashlib
import hmac
import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.auth.service import issue_token
from fleetcharge.charging.recording import Attribution, record_session
from fleetcharge.csms.sessions import record_transaction_session
from fleetcharge.models import (
    Card,
    ChargeSession,
    Connector,
    FirmwareFile,
    Fleet,
    Invoice,
    InvoiceLineItem,
    InvoiceSession,
    InvoiceVehicle,
    Location,
    OcppTransaction,
    Organisation,
    ServerKey,
    SessionReview,
    Station,
    Tariff,
    Vehicle,
)
from fleetcharge.models.token import ENDPOINT_SCOPES
from fleetcharge.money import gst_included, round_money
from fleetcharge.network.password_hashing import hash_password
from fleetcharge.pricing.schemas import Timeline
from fleetcharge.tariffs.repository import tariff_spec

_serial = itertools.count(1)

ENERGY_30C = [{"price_components": [{"type": "ENERGY", "price": "0.30", "step_size": 1}]}]


def organisation(db: Session, name: str | None = None) -> Organisation:
    org = Organisation(name=name or f"Org {next(_serial)}", abn="51824753556")
    db.add(org)
    db.flush()
    return org


def token(db: Session, org: Organisation, scopes: tuple[str, ...] = ENDPOINT_SCOPES) -> str:
    return issue_token(db, org, scopes).secret


def fleet(db: Session, org: Organisation, name: str | None = None) -> Fleet:
    f = Fleet(organisation_id=org.id, name=name or f"Fleet {next(_serial)}")
    db.add(f)
    db.flush()
    return f


def vehicle(
    db: Session,
    f: Fleet,
    *,
    id_tags: tuple[str, ...] | None = None,
    effective_from: date = date(2023, 1, 1),
    effective_to: date | None = None,
) -> Vehicle:
    n = next(_serial)
    v = Vehicle(
        fleet_id=f.id,
        organisation_id=f.organisation_id,
        vin=f"TESTVIN{n:010d}",
        registration_number=f"REG{n:03d}"[:20],
        contract_number=f"C-{n}",
        effective_from=effective_from,
        effective_to=effective_to,
    )
    db.add(v)
    db.flush()
    for tag in id_tags if id_tags is not None else (f"TAG{n}",):
        db.add(Card(id_tag=tag, vehicle_id=v.id, organisation_id=v.organisation_id))
    db.flush()
    return v


def tariff(db: Session, elements: list[dict] | None = None, grace: int = 0) -> Tariff:
    t = Tariff(
        name=f"Tariff {next(_serial)}", elements=elements or ENERGY_30C, parking_grace_minutes=grace
    )
    db.add(t)
    db.flush()
    return t


@dataclass
class Site:
    location: Location
    station: Station
    connector: Connector
    tariff: Tariff


def site(
    db: Session, host: Organisation, timezone: str = "Australia/Sydney", t: Tariff | None = None
) -> Site:
    n = next(_serial)
    t = t or tariff(db)
    loc = Location(
        host_organisation_id=host.id, name=f"Site {n}", address=f"{n} Test St", timezone=timezone
    )
    db.add(loc)
    db.flush()
    st, conn = station(db, loc, f"CP{n}", t, number=n)
    return Site(loc, st, conn, t)


# Every test station's password (stations must authenticate; see tests/csms/helpers.py).
STATION_PASSWORD = "test-station-password"
_STATION_PASSWORD_HASH = hash_password(STATION_PASSWORD, generated=True)  # a fast hash


def station(
    db: Session, loc: Location, ocpp_identity: str, t: Tariff, number: int | None = None
) -> tuple[Station, Connector]:
    """A station with one connector ("Port A") at `loc`, priced by `t`; its password is
    STATION_PASSWORD."""
    n = number if number is not None else next(_serial)
    st = Station(
        location_id=loc.id,
        evse_id=f"EVSE-{n}",
        name=f"Station {n}",
        ocpp_identity=ocpp_identity,
        tariff_id=t.id,
        password_hash=_STATION_PASSWORD_HASH,
    )
    db.add(st)
    db.flush()
    conn = Connector(station_id=st.id, connector_id=1, name="Port A")
    db.add(conn)
    db.flush()
    return st, conn


@dataclass
class Driver:
    """Who is charging: a fleet vehicle's card, or a public id tag (vehicle None)."""

    id_tag: str
    vehicle: Vehicle | None = None
    card_id: int | None = None
    fleet_id: int | None = None
    payer_organisation_id: int | None = None
    extra: dict = field(default_factory=dict)


def driver(db: Session, v: Vehicle | None = None, id_tag: str | None = None) -> Driver:
    if v is None:
        return Driver(id_tag or f"PUBLIC{next(_serial)}")
    card = v.cards[0] if v.cards else None
    f = db.get(Fleet, v.fleet_id)
    assert f is not None
    return Driver(
        card.id_tag if card else (id_tag or "NOCARD"),
        v,
        card.id if card else None,
        f.id,
        f.organisation_id,
    )


def charge(
    db: Session,
    s: Site,
    d: Driver,
    stop: datetime,
    *,
    minutes: int = 30,
    parked_minutes: int = 0,
    kwh: str = "10.000",
    charging: timedelta | None = None,
    parked: timedelta | None = None,
) -> ChargeSession:
    """Record a completed session ending at `stop` (an aware datetime).

    `charging` / `parked` give second-exact durations and override `minutes` /
    `parked_minutes`.
    """
    host = db.get(Organisation, s.location.host_organisation_id)
    assert host is not None
    charging = charging if charging is not None else timedelta(minutes=minutes)
    parked = parked if parked is not None else timedelta(minutes=parked_minutes)
    charging_end = stop - parked
    timeline = Timeline(
        charging_end - charging, charging_end, stop, Decimal(kwh), timezone=s.location.timezone
    )
    attribution = Attribution(
        auth_id=d.id_tag,
        connector_id=s.connector.id,
        location_id=s.location.id,
        host_organisation_id=host.id,
        timezone=s.location.timezone,
        network_fee_per_kwh=host.network_fee_per_kwh,
        card_id=d.card_id,
        vehicle_id=d.vehicle.id if d.vehicle else None,
        fleet_id=d.fleet_id,
        payer_organisation_id=d.payer_organisation_id,
    )
    return record_session(db, attribution, tariff_spec(s.tariff), timeline, tariff_id=s.tariff.id)


def held_review(
    db: Session,
    payer: Organisation,
    host: Organisation | None = None,
    *,
    kwh: int = 200_000,
    days: float = 29,
) -> SessionReview:
    """A stopped transaction of a `payer` card at a 22 kW AC station, `kwh` in `days` ending
    a minute ago (by default the probe's forged session), recorded by the central system's
    own path: held for review."""
    s = site(db, host or organisation(db))
    card = vehicle(db, fleet(db, payer)).cards[0]
    stop = datetime.now(UTC) - timedelta(minutes=1)
    start = stop - timedelta(days=days)
    tx = OcppTransaction(
        station_id=s.station.id,
        connector_id=s.connector.id,
        id_tag=card.id_tag,
        id_tag_status="Accepted",
        card_id=card.id,
        meter_start_wh=0,
        start_reported_at=start,
        started_at=start,
        received_at=start,
        state="stopped",
        meter_stop_wh=kwh * 1000,
        stop_reported_at=stop,
        stopped_at=stop,
        stop_received_at=stop,
        flags=[],
    )
    db.add(tx)
    db.flush()
    tx.flags = sorted(record_transaction_session(db, tx))
    return db.scalars(select(SessionReview).where(SessionReview.transaction_id == tx.id)).one()


_invoice_numbers = itertools.count(90000001)


def invoice(
    db: Session,
    org: Organisation,
    *,
    status: str = "approved",
    kind: str = "fleet",
    invoice_date: date = date(2024, 6, 30),
    period_start: date | None = None,
    number: int | None = None,
    lines: tuple[tuple[str, int, str], ...] = (("Vehicle management", 2, "4.95"),),
    vehicles: tuple[Vehicle, ...] = (),
    sessions: tuple[ChargeSession, ...] = (),
    total_paid: str | None = None,
    description: str | None = "Fleet fees",
    reference: str | None = None,
    accompanies: Invoice | None = None,
) -> Invoice:
    """An invoice built row by row (the billing run is tested in tests/billing).

    `lines` are (description, units, GST-inclusive unit price). Drafts get no number;
    other statuses get the next test number unless `number` is given. An RCTI bills the
    sessions of the site-host invoice it `accompanies` (its own `sessions` are ignored).
    """
    if number is None and status != "draft":
        number = next(_invoice_numbers)
    line_items = [
        InvoiceLineItem(
            position=position,
            description=text,
            units=units,
            unit_price=Decimal(unit_price),
            amount=round_money(Decimal(unit_price) * units),
        )
        for position, (text, units, unit_price) in enumerate(lines, start=1)
    ]
    total = sum((line.amount for line in line_items), Decimal("0.00"))
    inv = Invoice(
        organisation_id=org.id,
        kind=kind,
        status=status,
        invoice_number=number,
        invoice_date=invoice_date,
        period_start=period_start or invoice_date.replace(day=1),
        period_end=invoice_date,
        description=description,
        reference=reference,
        currency="AUD",
        total_tax=gst_included(total, Decimal("0.10")),
        total_amount=total,
        # Paid in full when paid, unless told otherwise.
        total_paid=Decimal(total_paid) if total_paid else (total if status == "paid" else 0),
        accompanies_invoice_id=accompanies.id if accompanies else None,
    )
    db.add(inv)
    db.flush()
    for line in line_items:
        line.invoice_id = inv.id
        db.add(line)
    for v in vehicles:
        db.add(InvoiceVehicle(invoice_id=inv.id, vehicle_id=v.id))
    for cs in sessions if kind != "rcti" else ():
        db.add(
            InvoiceSession(invoice_id=inv.id, session_id=cs.id, kind=kind, active=status != "void")
        )
    db.flush()
    return inv


def pseudonym(db: Session, viewer_id: int, id_tag: str) -> str:
    """What organisation `viewer_id` is shown for a card it did not pay with: `anon-` and
    the first 20 hex digits of HMAC-SHA256 under the stored key of `{viewer id}:{id tag}`
    (computed here with the standard library, not with the code under test)."""
    key = db.scalar(select(ServerKey.key).where(ServerKey.name == "card_pseudonyms"))
    assert key is not None
    return "anon-" + hmac.new(key, f"{viewer_id}:{id_tag}".encode(), "sha256").hexdigest()[:20]


def firmware_file(db: Session, content: bytes = b"firmware") -> FirmwareFile:
    row = FirmwareFile(
        name=f"fw-{next(_serial)}.bin",
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by="factory",
        content=content,
    )
    db.add(row)
    db.flush()
    return row
