"""A stopped OCPP transaction becomes a priced charge session (flush only).

Attribution: card -> vehicle -> fleet -> paying organisation, and connector -> station ->
location -> site host. A tag that is no card of ours, or a card on no vehicle, has nobody
to pay: the session is recorded (the host sees it) and billed to nobody.

A session that could not have happened as reported (fleetcharge.reviews.plausibility) is
not recorded but held for review; an operator's accept or correction records it later.
"""

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from fleetcharge.billing.repository import session_invoiced
from fleetcharge.charging import events
from fleetcharge.charging.recording import (
    Attribution,
    record_session,
    reprice_session,
    session_rows,
)
from fleetcharge.csms import repository
from fleetcharge.csms.readings import ENERGY_REGISTER, POWER_IMPORT
from fleetcharge.csms.transaction_timeline import (
    MAX_PARKING_AFTER_STOP,
    BuiltTimeline,
    PowerReading,
    RegisterReading,
    StatusChange,
    TransactionFacts,
    build_timeline,
    car_left_at,
    status_evidence,
)
from fleetcharge.fleets.card_history import vehicle_at
from fleetcharge.models import (
    Card,
    ChargeSession,
    ConnectorStatus,
    OcppTransaction,
    Organisation,
    Station,
    Vehicle,
)
from fleetcharge.models.location import Registration
from fleetcharge.models.ocpp import Flag
from fleetcharge.pricing.schemas import Timeline
from fleetcharge.reviews import repository as reviews
from fleetcharge.reviews.plausibility import (
    Finding,
    Reason,
    SessionFacts,
    Verdict,
    judge,
    vehicle_limit,
)
from fleetcharge.tariffs.repository import applicable_tariff

WH_PER_KWH = 1000


def record_transaction_session(db: Session, tx: OcppTransaction) -> set[Flag]:
    """Price and store the stopped transaction's session and link it, or hold it for review
    when it is implausible; the flags its timeline earned. At a station pending approval
    there is no session yet (fleetcharge.csms.held_sessions)."""
    station = _station(db, tx)
    if station.registration_status == Registration.PENDING:
        return {Flag.HELD_PENDING_STATION}
    facts, flags = _facts(db, tx, station)
    built = build_timeline(facts)
    flags |= built.flags
    attribution = _attribution(db, tx, station)
    verdict = _judge(db, station, attribution, built.timeline, frozenset(tx.flags))
    if verdict.held:
        _hold(db, tx, station, attribution, built, verdict)
        return flags | {Flag.HELD_FOR_REVIEW}
    _record(db, tx, station, attribution, built)
    return flags


def delivered_wh(db: Session, tx: OcppTransaction) -> Decimal:
    """The energy the stopped transaction's readings show delivered."""
    return build_timeline(_facts(db, tx, _station(db, tx))[0]).energy_wh


def hold_settled(db: Session, tx: OcppTransaction, detail: str) -> set[Flag]:
    """Hold the session of a transaction ended without its StopTransaction (its stop and
    meterStop set to its last evidence) for review, whatever else is odd about it; the
    flags its timeline earned."""
    station = _station(db, tx)
    facts, flags = _facts(db, tx, station)
    built = build_timeline(facts)
    attribution = _attribution(db, tx, station)
    verdict = _judge(db, station, attribution, built.timeline, frozenset(tx.flags))
    settled = Finding(Reason.SETTLED_WITHOUT_STOP, detail)
    _hold(
        db, tx, station, attribution, built, replace(verdict, findings=(settled, *verdict.findings))
    )
    return flags | built.flags | {Flag.HELD_FOR_REVIEW}


def _hold(
    db: Session,
    tx: OcppTransaction,
    station: Station,
    attribution: Attribution,
    built: BuiltTimeline,
    verdict: Verdict,
) -> None:
    applied = applicable_tariff(db, station, attribution.payer_organisation_id, tx.started_at)
    values, _ = session_rows(attribution, applied.spec, built.timeline)
    reviews.hold(
        db,
        tx,
        verdict,
        energy_kwh=built.timeline.energy_kwh,
        host_organisation_id=attribution.host_organisation_id,
        payer_organisation_id=attribution.payer_organisation_id,
        vehicle_id=attribution.vehicle_id,
        cost_to_driver=values["cost_to_driver"],
        currency=values["currency"],
    )


def judge_correction(
    db: Session, tx: OcppTransaction, *, stop: datetime | None, energy_kwh: Decimal | None
) -> Verdict:
    """Whether the held transaction's session, corrected so, is plausible (the station's
    clock flags no longer count: the operator gave the times). Energy not corrected is
    judged as reported, even where the shorter time would make the timeline ignore it."""
    station = _station(db, tx)
    timeline = _corrected_timeline(db, tx, station, stop, energy_kwh).timeline
    if energy_kwh is None:
        reported = build_timeline(_facts(db, tx, station)[0]).timeline.energy_kwh
        timeline = replace(timeline, energy_kwh=reported)
    return _judge(db, station, _attribution(db, tx, station), timeline, frozenset())


def record_reviewed_session(
    db: Session,
    tx: OcppTransaction,
    *,
    stop: datetime | None = None,
    energy_kwh: Decimal | None = None,
) -> ChargeSession:
    """Record the session of a transaction held for review, as reported or corrected, priced
    as any other (the tariff in force at its start). A corrected energy replaces the
    station's readings: they are what was wrong."""
    assert tx.session_id is None, "a held transaction has no session yet"
    station = _station(db, tx)
    built = _corrected_timeline(db, tx, station, stop, energy_kwh)
    return _record(db, tx, station, _attribution(db, tx, station), built)


def _record(
    db: Session,
    tx: OcppTransaction,
    station: Station,
    attribution: Attribution,
    built: BuiltTimeline,
) -> ChargeSession:
    applied = applicable_tariff(db, station, attribution.payer_organisation_id, tx.started_at)
    session = record_session(
        db, attribution, applied.spec, built.timeline, tariff_id=applied.tariff_id
    )
    tx.session_id = session.id
    events.session_completed(db, session)
    return session


def _corrected_timeline(
    db: Session,
    tx: OcppTransaction,
    station: Station,
    stop: datetime | None,
    energy_kwh: Decimal | None,
) -> BuiltTimeline:
    facts, _ = _facts(db, tx, station, stop=stop)
    if energy_kwh is not None:
        energy_wh = int(energy_kwh * WH_PER_KWH)
        facts = replace(
            facts, meter_stop_wh=facts.meter_start_wh + energy_wh, registers=(), power=()
        )
    return build_timeline(facts)


def _judge(
    db: Session,
    station: Station,
    attribution: Attribution,
    timeline: Timeline,
    flags: frozenset[str],
) -> Verdict:
    vehicle = db.get(Vehicle, attribution.vehicle_id) if attribution.vehicle_id else None
    facts = SessionFacts(
        start=timeline.start,
        stop=timeline.stop,
        energy_kwh=timeline.energy_kwh,
        station_kw=station.max_power_kw,
        current_type=station.current_type,
        vehicle_kw=vehicle_limit(
            station.current_type, vehicle.max_ac_power_kw, vehicle.max_dc_power_kw
        )
        if vehicle is not None
        else None,
        flags=flags,
    )
    return judge(facts)


def extend_parking(
    db: Session, connector_id: int, available: StatusChange, live_within: timedelta
) -> None:
    """The connector reported Available (stored already): if the car stayed plugged in
    after its transaction stopped, re-price the session with that time as parking (OCPI
    PARKING_TIME).

    Only for a stop we heard of live (a replayed stop says nothing about when an Available
    now happened), the connector's latest transaction, the first Available after it that is
    evidence of time (`status_evidence`: not one without a timestamp received after a gap in
    the connection, or after a database outage the stop waited through), and a session on no
    invoice yet. The session's stop_date_time moves to when the car left.
    """
    tx = repository.latest_transaction_on(db, connector_id)
    if (
        tx is None
        or tx.session_id is None
        or tx.stopped_at is None
        or tx.stop_received_at is None
        or tx.stop_reason == "EVDisconnected"
        or Flag.PARKED_UNTIL_AVAILABLE in tx.flags
        or Flag.HELD_FOR_REVIEW in tx.flags
        or tx.stop_received_at - tx.stopped_at > live_within
        or (not available.timed and Flag.APPLIED_AFTER_OUTAGE in tx.flags)
        or not status_evidence([available], tx.stopped_at)
        or car_left_at(tx.stopped_at, _statuses_after_stop(db, tx, tx.stopped_at)) != available.at
        or session_invoiced(db, tx.session_id)
    ):
        return
    session = db.get(ChargeSession, tx.session_id)
    if session is None or session.tariff_snapshot is None:
        return
    station = _station(db, tx)
    built = build_timeline(_facts(db, tx, station, session_end=available.at)[0])
    reprice_session(db, session, _attribution(db, tx, station), built.timeline)
    tx.flags = sorted({*tx.flags, Flag.PARKED_UNTIL_AVAILABLE})
    db.flush()
    # Its receivers learn the session's new stop and price (documented with the event).
    events.session_completed(db, session)


def _station(db: Session, tx: OcppTransaction) -> Station:
    station = db.get(Station, tx.station_id)
    assert station is not None  # a foreign key
    return station


def _facts(
    db: Session,
    tx: OcppTransaction,
    station: Station,
    session_end: datetime | None = None,
    stop: datetime | None = None,
) -> tuple[TransactionFacts, set[Flag]]:
    """What the station reported about the transaction (with another `stop`, if given), and
    the flags its units earn."""
    assert tx.stopped_at is not None and tx.meter_stop_wh is not None
    stop = stop or tx.stopped_at
    registers: list[RegisterReading] = []
    power: list[PowerReading] = []
    flags: set[Flag] = set()
    for r in repository.transaction_readings(db, tx.id):
        if r.value is None:
            continue
        if r.measurand == ENERGY_REGISTER and r.normalised_unit == "kWh":
            registers.append(RegisterReading(r.sampled_at, r.value * WH_PER_KWH))
            if r.unit == "kWh":
                flags.add(Flag.KWH_UNITS)
        elif r.measurand == POWER_IMPORT and r.normalised_unit == "kW":
            power.append(PowerReading(r.sampled_at, r.value))
    statuses = repository.connector_statuses(
        db, station.id, tx.connector.connector_id, tx.started_at, stop
    )
    facts = TransactionFacts(
        start=tx.started_at,
        stop=stop,
        meter_start_wh=tx.meter_start_wh,
        meter_stop_wh=tx.meter_stop_wh,
        registers=tuple(registers),
        power=tuple(power),
        statuses=tuple(status_change(s) for s in statuses),
        timezone=station.location.timezone,
        max_power_kw=station.max_power_kw,
        session_end=session_end,
    )
    return facts, flags


def _attribution(db: Session, tx: OcppTransaction, station: Station) -> Attribution:
    card = db.get(Card, tx.card_id) if tx.card_id is not None else None
    card = card or repository.card_by_id_tag(db, tx.id_tag)
    # Whose card it was when the session started: a later move changes nothing for it.
    vehicle = vehicle_at(db, card, tx.started_at) if card is not None else None
    location = station.location
    host = db.get(Organisation, location.host_organisation_id)
    assert host is not None
    return Attribution(
        auth_id=tx.id_tag,
        connector_id=tx.connector_id,
        location_id=location.id,
        host_organisation_id=host.id,
        timezone=location.timezone,
        network_fee_per_kwh=host.network_fee_per_kwh,
        card_id=card.id if card is not None else None,
        vehicle_id=vehicle.id if vehicle is not None else None,
        fleet_id=vehicle.fleet_id if vehicle is not None else None,
        payer_organisation_id=vehicle.organisation_id if vehicle is not None else None,
        billed=vehicle is not None,
    )


def _statuses_after_stop(
    db: Session, tx: OcppTransaction, stopped_at: datetime
) -> list[StatusChange]:
    statuses = repository.connector_statuses(
        db,
        tx.station_id,
        tx.connector.connector_id,
        stopped_at,
        stopped_at + MAX_PARKING_AFTER_STOP,
    )
    return [status_change(s) for s in statuses]


def status_change(row: ConnectorStatus) -> StatusChange:
    return StatusChange(row.status_at, row.status, row.reported_at is not None, row.connected_at)
