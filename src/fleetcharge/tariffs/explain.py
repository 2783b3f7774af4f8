"""What `fleetcharge tariffs check` says about a valid document: every field it found and
what fleetcharge will do with it."""

from decimal import Decimal
from typing import Any

from fleetcharge.tariffs.schemas import ElementDocument, PriceDocument, TariffDocument

UNITS = {"ENERGY": "per kWh", "TIME": "per hour charging", "PARKING_TIME": "per hour parked"}
STEP_UNITS = {"ENERGY": "Wh", "TIME": "s", "PARKING_TIME": "s"}
TYPES = {
    "REGULAR": "used for sessions paid by an organisation's card",
    "AD_HOC_PAYMENT": "used for sessions without a paying organisation (ad hoc)",
    "PROFILE_CHEAP": "kept and served; chosen for no session (we take no charging preferences)",
    "PROFILE_FAST": "kept and served; chosen for no session (we take no charging preferences)",
    "PROFILE_GREEN": "kept and served; chosen for no session (we take no charging preferences)",
}


def explain(doc: TariffDocument) -> list[str]:
    """One line per field found (in document order where it matters), `field: meaning`."""
    given = doc.model_fields_set
    lines = [f"name: {doc.title!r}, how operators refer to the tariff" + _from_id(doc)]
    if doc.includes_vat:
        basis = "including VAT (GST); components without their own vat use tax_rate " + str(
            doc.rate
        )
    else:
        basis = "excluding VAT, each component's vat added (none given: no VAT)"
    why = (
        "prices_include_vat says so"
        if doc.prices_include_vat is not None
        else "an OCPI document: it has last_updated"
        if not doc.includes_vat
        else "no last_updated: our GST-inclusive form"
    )
    lines.append(f"prices: {basis} ({why})")
    simple = {
        "owner": f"owner: {doc.owner!r}, the organisation whose tariff it is",
        "currency": f"currency: {doc.currency}",
        "tax_rate": f"tax_rate: {doc.tax_rate}, the VAT share of components without a vat",
        "parking_grace_minutes": f"parking_grace_minutes: {doc.parking_grace_minutes} idle "
        "minutes of each stretch are free before PARKING_TIME is billed",
        "id": f"id: {doc.id!r}, OCPI identity, kept",
        "country_code": f"country_code: {doc.country_code}, OCPI identity, kept",
        "party_id": f"party_id: {doc.party_id}, OCPI identity, kept",
        "last_updated": f"last_updated: {_when(doc.last_updated)}, kept",
    }
    lines += [line for key, line in simple.items() if key in given]
    if doc.type is not None:
        lines.append(f"type: {doc.type}, {TYPES[doc.type]}")
    if doc.start_date_time is not None:
        lines.append(
            f"start_date_time: {_when(doc.start_date_time)}, sessions starting earlier are not "
            "priced by it (publishing a version: when it takes effect)"
        )
    if doc.end_date_time is not None:
        lines.append(
            f"end_date_time: {_when(doc.end_date_time)}, sessions starting then or later are "
            "not priced by it"
        )
    for text in doc.tariff_alt_text or ():
        lines.append(f"tariff_alt_text ({text.language}): {text.text!r}, shown to users")
    if doc.tariff_alt_url is not None:
        lines.append(f"tariff_alt_url: {doc.tariff_alt_url}, shown to users")
    if doc.energy_mix is not None:
        mix = doc.energy_mix
        sources = ", ".join(f"{s.source} {s.percentage}%" for s in mix.energy_sources or ())
        lines.append(
            f"energy_mix: {'green' if mix.is_green_energy else 'not green'}"
            + (f" ({sources})" if sources else "")
            + ", kept and served"
        )
    for key in ("min_price", "max_price"):
        value = getattr(doc, key)
        if value is not None:
            lines.append(f"{key}: {_limit(doc, value)}")
    for i, element in enumerate(doc.elements):
        lines += _element(doc, i, element)
    return lines


def _amount(value: Decimal) -> str:
    """At least cents, every further digit the price has: 0.60, 0.275."""
    exponent = value.normalize().as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{value:.{places}f}"


def _from_id(doc: TariffDocument) -> str:
    return " (from OCPI's id)" if doc.name is None else ""


def _when(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def _limit(doc: TariffDocument, value: Decimal | PriceDocument) -> str:
    parts = []
    if isinstance(value, PriceDocument):
        if value.excl_vat is not None:
            parts.append(f"{value.excl_vat} excl. VAT")
        if value.incl_vat is not None:
            parts.append(f"{value.incl_vat} incl. VAT")
    else:
        parts.append(f"{value} {'incl.' if doc.includes_vat else 'excl.'} VAT")
    return " and ".join(parts) + ", each a bound on the session's total of that kind"


def _element(doc: TariffDocument, i: int, element: ElementDocument) -> list[str]:
    r = element.restrictions
    reservation = r.reservation if r is not None else None
    scope = (
        "prices reservations that expire"
        if reservation == "RESERVATION_EXPIRES"
        else "prices reservations, never a session"
        if reservation == "RESERVATION"
        else "prices sessions"
    )
    lines = [f"elements[{i}]: {scope}; the first matching element with a component sets it"]
    for j, c in enumerate(element.price_components):
        vat = c.vat if c.vat is not None else (doc.rate * 100 if doc.includes_vat else None)
        incl = c.price if doc.includes_vat else c.price * (1 + (c.vat or Decimal(0)) / 100)
        unit = (
            ("per hour reserved" if c.type == "TIME" else "per reservation")
            if reservation
            else UNITS.get(c.type, "per session")
        )
        step = (
            f", billed in steps of {c.step_size} {STEP_UNITS[c.type]}"
            if c.step_size > 1 and c.type in STEP_UNITS
            else ""
        )
        rate = "no VAT" if vat is None else f"{vat.normalize():f}% VAT"
        given = "" if doc.includes_vat else f"{_amount(c.price)} excl. VAT + {rate} = "
        shown = f"{_amount(incl)} incl. VAT" + (f" ({rate})" if doc.includes_vat else "")
        lines.append(f"elements[{i}].price_components[{j}]: {c.type} {given}{shown} {unit}{step}")
    if r is not None:
        for key, value in r.model_dump(exclude_none=True, mode="json").items():
            if key != "reservation":
                lines.append(f"elements[{i}].restrictions.{key}: {value}")
    return lines
