"""Flags: what can be odd about an OCPP transaction."""

from enum import StrEnum


class Flag(StrEnum):
    """Stored on the transaction (sorted) for operators; only HELD_FOR_REVIEW and
    HELD_PENDING_STATION keep its session from being recorded (until an operator reviews it,
    or approves its station)."""

    # A station timestamp was implausible (too far in the future or past) and replaced.
    CLOCK_ADJUSTED = "clock_adjusted"
    # A timestamp without a UTC offset, read as the location's local wall clock.
    LOCAL_CLOCK = "local_clock"
    # The stop reported a time before the start; the session ends at its start.
    STOP_BEFORE_START = "stop_before_start"
    # Started more than the clock skew allowance before we heard of it (offline queue).
    REPLAYED_OFFLINE = "replayed_offline"
    # The idTag is no card of ours; answered Invalid, recorded, billed to nobody.
    UNKNOWN_ID_TAG = "unknown_id_tag"
    # A register reading (or meterStop) below an earlier one; ignored, never negative energy.
    REGISTER_DECREASED = "register_decreased"
    # Meter values showed more energy than meterStop; the readings were used.
    METER_STOP_BELOW_SAMPLES = "meter_stop_below_samples"
    # Readings implying more energy than the station could deliver (another register); ignored.
    IMPLAUSIBLE_READINGS = "implausible_readings"
    # Energy readings came in kWh (normalised to Wh for the session).
    KWH_UNITS = "kwh_units"
    # MeterValues with a missing or wrong transactionId were attached to this transaction.
    REATTACHED_METER_VALUES = "reattached_meter_values"
    # The session was extended to when the connector became Available (parking).
    PARKED_UNTIL_AVAILABLE = "parked_until_available"
    # Its session could not have happened as reported: held for an operator's review
    # (fleetcharge.reviews), recorded only once accepted or corrected.
    HELD_FOR_REVIEW = "held_for_review"
    # Stopped while its station was pending approval (auto-registered): its session was
    # recorded only when an operator approved the station.
    HELD_PENDING_STATION = "held_pending_station"
    # Received while the database was unavailable: answered Accepted from the outage
    # journal, and applied (the card checked) once the database was back.
    APPLIED_AFTER_OUTAGE = "applied_after_outage"
