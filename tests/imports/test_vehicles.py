"""Importing vehicles with their cards: all or nothing, every problem by line and column,
upsert by VIN, cards moved with their history."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fleetcharge.db import unit_of_work
from fleetcharge.errors import Conflict
from fleetcharge.imports.problems import InvalidFile
from fleetcharge.imports.summary import Summary
from fleetcharge.imports.vehicles import import_vehicles
from fleetcharge.models import AuditEvent, Card, CardAssignment, Fleet, Organisation, Vehicle
from fleetcharge.permissions import Actor
from tests import factories as f
from tests.imports.files import VEHICLE_HEADER, csv_text, vehicles_file, vin

ACTOR = Actor.command_line()


def load(engine: Engine, org_id: int, text: str | bytes, **options: object) -> Summary:
    data = text.encode() if isinstance(text, str) else text
    with unit_of_work(engine) as db:
        organisation = db.get(Organisation, org_id)
        assert organisation is not None
        return import_vehicles(db, ACTOR, organisation, data, **options)  # type: ignore[arg-type]


def problems_of(engine: Engine, org_id: int, text: str | bytes, **options: object) -> list[str]:
    with pytest.raises(InvalidFile) as raised:
        load(engine, org_id, text, **options)
    return [str(problem) for problem in raised.value.problems]


def counts(db: Session) -> dict[str, int]:
    return {
        model.__tablename__: db.scalar(select(func.count()).select_from(model)) or 0
        for model in (Vehicle, Card, Fleet, CardAssignment, AuditEvent)
    }


@pytest.fixture
def org_id(engine: Engine) -> int:
    with unit_of_work(engine) as db:
        return f.organisation(db, "Cybertron").id


def test_a_large_file_with_three_bad_rows_fixed_then_loaded_again(
    engine: Engine, org_id: int
) -> None:
    rows = vehicles_file(5000)
    rows[10][0] = "1FCVH00000000001O"  # an O, mistaken for a zero
    rows[2500][4] = "01/02/2025"
    rows[4999][5] = f"T{4999};T17"  # T17 is line 19's card
    text = csv_text(VEHICLE_HEADER, rows)
    with unit_of_work(engine) as db:
        before = counts(db)
    assert problems_of(engine, org_id, text) == [
        "line 12, column vin: vin must be 17 letters and digits without I, O or Q, "
        "got '1FCVH00000000001O'",
        "line 2502, column effective_from: effective_from must be a date written YYYY-MM-DD, "
        "got '01/02/2025'",
        "line 5001, column cards: card T17 is also on line 19",
    ]
    with unit_of_work(engine) as db:
        assert counts(db) == before

    rows[10][0], rows[2500][4], rows[4999][5] = vin(10), "2025-02-01", "T4999"
    fixed = csv_text(VEHICLE_HEADER, rows)
    summary = load(engine, org_id, fixed).view()
    cards = 5000 + 1000  # one more every fifth row
    assert summary == {
        "dry_run": False,
        "vehicles": {"created": 5000, "updated": 0, "unchanged": 0},
        "cards": {"created": cards, "updated": 0, "unchanged": 0},
        "fleets": {"created": 2, "updated": 0, "unchanged": 0},
    }
    with unit_of_work(engine) as db:
        loaded = counts(db)
        assert loaded == {
            "vehicles": 5000,
            "cards": cards,
            "fleets": 2,
            "card_assignments": 2 * cards,  # none before its creation, its vehicle from then
            "audit_events": 5000 + cards + 2,
        }
        vehicle = db.scalars(select(Vehicle).where(Vehicle.vin == vin(2500))).one()
        assert vehicle.effective_from == date(2025, 2, 1)
        assert [c.id_tag for c in vehicle.cards] == ["T2500", "U2500"]
        assert vehicle.organisation_id == org_id and vehicle.version == 1

    again = load(engine, org_id, fixed).view()
    assert again == {
        "dry_run": False,
        "vehicles": {"created": 0, "updated": 0, "unchanged": 5000},
        "cards": {"created": 0, "updated": 0, "unchanged": cards},
        "fleets": {"created": 0, "updated": 0, "unchanged": 2},
    }
    with unit_of_work(engine) as db:
        assert counts(db) == loaded  # nothing written, not even audit events


def test_excel_csv_bom_crlf_any_column_order_and_heading_case(engine: Engine, org_id: int) -> None:
    text = csv_text(
        ["Cards", "Registration Number", "VIN", "FLEET"],
        [["A1;A2", "XYZ 1", vin(1), "Depot"], ['"B1"', "XYZ 2", vin(2).lower(), "Depot"]],
        newline="\r\n",
    )
    summary = load(engine, org_id, b"\xef\xbb\xbf" + text.encode())
    assert summary["vehicles"].created == 2 and summary["cards"].created == 3
    with unit_of_work(engine) as db:
        vehicles = db.scalars(select(Vehicle))
        stored = {v.vin: (v.registration_number, [c.id_tag for c in v.cards]) for v in vehicles}
    assert stored == {vin(1): ("XYZ 1", ["A1", "A2"]), vin(2): ("XYZ 2", ["B1"])}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "vin,registration_number,fleet,colour\n",
            ["line 1, column colour: unknown column; the columns are vin, registration_number, "
             "fleet, contract_number, effective_from, cards"],
        ),
        (
            "vin,fleet,VIN\n",
            ["line 1, column VIN: the column appears twice",
             "line 1, column registration_number: missing column: its registration plate"],
        ),
        ("", ["line 1: the file is empty: the first line names the columns"]),
        ("vin,registration_number,fleet\n", ["line 2: the file has a header but no rows"]),
        (
            "vin,registration_number,fleet\n\n" + vin(1) + ",R1,A,extra\n",
            ["line 3: 4 cells for 3 columns"],
        ),
        (b"vin,registration_number,fleet\n" + vin(1).encode() + b",R\xe91,A\n",
         ["line 2: the file is not UTF-8 text: save it as CSV UTF-8"]),
        (
            "vin,registration_number,fleet,cards,effective_from,contract_number\n"
            f",R1,A,,,\n{vin(2)},,A,bad tag,2025-02-30,{'x' * 65}\n{vin(3)},R3,{'f' * 201},,,\n"
            f"{vin(3)},R4,A,,,\n",
            [
                "line 2, column vin: vin is required",
                "line 3, column cards: cards must be 1 to 20 printable ASCII characters without "
                "spaces (an OCPP idTag), got 'bad tag'",
                "line 3, column contract_number: contract_number must be 1 to 64 characters, "
                "got 65",
                "line 3, column effective_from: effective_from must be a date written YYYY-MM-DD, "
                "got '2025-02-30'",
                "line 3, column registration_number: registration_number must be 1 to 20 "
                "characters, got 0",
                "line 4, column fleet: fleet must be 1 to 200 characters, got 201",
                "line 5, column vin: vin 1FCVH000000000003 is also on line 4",
            ],
        ),
    ],
)  # fmt: skip
def test_every_problem_has_its_line_and_column(
    engine: Engine, org_id: int, text: str | bytes, expected: list[str]
) -> None:
    assert problems_of(engine, org_id, text) == expected


def test_the_fleet_option_and_a_new_vehicle_without_a_fleet(engine: Engine, org_id: int) -> None:
    text = csv_text(
        ["vin", "registration_number", "fleet"], [[vin(1), "R1", ""], [vin(2), "R2", "X"]]
    )
    assert problems_of(engine, org_id, text) == [
        "line 2, column fleet: fleet is required for a new vehicle"
    ]
    assert load(engine, org_id, text, fleet="Default")["fleets"].created == 2
    no_column = csv_text(["vin", "registration_number"], [[vin(1), "R1"]])
    assert problems_of(engine, org_id, no_column) == [
        "line 1, column fleet: missing column: the name of its fleet in the organisation, "
        "created if there is none (blank: the --fleet / fleet parameter)"
    ]
    assert load(engine, org_id, no_column, fleet="Default")["vehicles"].unchanged == 1


def test_updates_by_vin_and_cards_moved_keep_their_history(engine: Engine, org_id: int) -> None:
    with unit_of_work(engine) as db:
        organisation = db.get(Organisation, org_id)
        assert organisation is not None
        fleet = f.fleet(db, organisation, "Depot")
        first = f.vehicle(db, fleet, id_tags=("MOVE",))
        first.vin = vin(1)
        first_id = first.id
        card_id = db.scalars(select(Card.id).where(Card.id_tag == "MOVE")).one()
    text = csv_text(
        ["vin", "registration_number", "fleet", "cards", "contract_number"],
        [[vin(1), "NEWREG", "Depot", "", ""], [vin(2), "R2", "Other", "MOVE", "K2"]],
    )
    summary = load(engine, org_id, text).view()
    assert summary["vehicles"] == {"created": 1, "updated": 1, "unchanged": 0}
    assert summary["cards"] == {"created": 0, "updated": 1, "unchanged": 0}
    assert summary["fleets"] == {"created": 1, "updated": 0, "unchanged": 1}
    with unit_of_work(engine) as db:
        updated = db.get(Vehicle, first_id)
        assert updated is not None
        assert (updated.registration_number, updated.contract_number, updated.version) == (
            "NEWREG",
            None,  # the column is there and blank
            2,
        )
        second = db.scalars(select(Vehicle).where(Vehicle.vin == vin(2))).one()
        card = db.get(Card, card_id)
        assert card is not None and card.vehicle_id == second.id and card.version == 2
        history = db.scalars(select(CardAssignment).order_by(CardAssignment.valid_from)).all()
        # Until the move, the vehicle it was on; from it on, the new one.
        assert [(a.card_id, a.vehicle_id) for a in history] == [
            (card_id, first_id),
            (card_id, second.id),
        ]
        assert card.organisation_id == org_id
        events = {(e.resource, e.action): e for e in db.scalars(select(AuditEvent)).all()}
        moved = events[("card", "assign")]
        assert moved.before and moved.after
        assert moved.before["vehicle"] == {"uuid": str(updated.uuid), "vin": vin(1)}
        assert moved.after["vehicle"] == {"uuid": str(second.uuid), "vin": vin(2)}
        assert moved.after["version"] == 2
        assert events[("vehicle", "update")].after["registration_number"] == "NEWREG"  # type: ignore[index]
        assert len(events) == 4  # vehicle update, vehicle create, card update, fleet create


def test_other_organisations_vins_and_cards_are_refused(engine: Engine, org_id: int) -> None:
    with unit_of_work(engine) as db:
        other = f.fleet(db, f.organisation(db, "Decepticons"))
        theirs = f.vehicle(db, other, id_tags=("THEIRS",))
        theirs.vin = vin(7)
        retired = f.vehicle(db, other, id_tags=(), effective_to=date(2024, 1, 1))
        retired.vin = vin(8)
        # Unassigned, it stays its organisation's.
        db.add(Card(id_tag="SPARE", organisation_id=other.organisation_id))
    text = csv_text(
        ["vin", "registration_number", "fleet", "cards"],
        [[vin(7), "R7", "A", ""], [vin(8), "R8", "A", "THEIRS;MINE;SPARE"]],
    )
    assert problems_of(engine, org_id, text) == [
        "line 2, column vin: vin 1FCVH000000000007 is an active vehicle of another organisation",
        "line 3, column cards: card THEIRS is another organisation's",
        "line 3, column cards: card SPARE is another organisation's",
    ]
    with unit_of_work(engine) as db:
        assert db.scalar(select(func.count()).select_from(Vehicle)) == 2


def test_a_network_card_is_given_by_an_operator_only(engine: Engine, org_id: int) -> None:
    with unit_of_work(engine) as db:
        db.add(Card(id_tag="NETWORK"))  # no organisation's
        organisation = db.get(Organisation, org_id)
        assert organisation is not None
        manager = Actor("manager", "fleet_manager", organisation_id=org_id)
        text = csv_text(
            ["vin", "registration_number", "fleet", "cards"], [[vin(1), "R", "A", "NETWORK"]]
        )
        with pytest.raises(InvalidFile) as raised:
            import_vehicles(db, manager, organisation, text.encode())
    assert [str(p) for p in raised.value.problems] == [
        "line 2, column cards: card NETWORK is a network card: an operator may give it to a vehicle"
    ]
    assert load(engine, org_id, text)["cards"].updated == 1


def test_a_dry_run_reports_and_writes_nothing(engine: Engine, org_id: int) -> None:
    text = csv_text(VEHICLE_HEADER, vehicles_file(20))
    summary = load(engine, org_id, text, dry_run=True).view()
    assert summary["dry_run"] is True and summary["vehicles"]["created"] == 20
    with unit_of_work(engine) as db:
        assert counts(db) == dict.fromkeys(counts(db), 0)


def test_two_imports_of_one_file_at_once_make_no_duplicates(engine: Engine, org_id: int) -> None:
    text = csv_text(VEHICLE_HEADER, vehicles_file(2000))
    with ThreadPoolExecutor(2) as pool:
        summaries = [s.view() for s in pool.map(lambda _: load(engine, org_id, text), range(2))]
    created = sorted(s["vehicles"]["created"] for s in summaries)
    unchanged = sorted(s["vehicles"]["unchanged"] for s in summaries)
    assert created == [0, 2000] and unchanged == [0, 2000]
    with unit_of_work(engine) as db:
        assert db.scalar(select(func.count()).select_from(Vehicle)) == 2000
        assert db.scalar(select(func.count()).select_from(Fleet)) == 2
        assert db.scalar(select(func.count(func.distinct(Card.id_tag)))) == db.scalar(
            select(func.count()).select_from(Card)
        )


def test_problems_are_capped_with_their_total(engine: Engine, org_id: int) -> None:
    rows = [[f"bad{n}", f"R{n}", "A", "", "", ""] for n in range(300)]
    with pytest.raises(InvalidFile) as raised:
        load(engine, org_id, csv_text(VEHICLE_HEADER, rows))
    error = raised.value
    assert (len(error.problems), error.total) == (200, 300)
    assert (
        error.message == "the file has 300 problems, nothing was imported; the first 200 are listed"
    )
    assert [p.line for p in error.problems] == list(range(2, 202))


def test_lines_are_counted_as_an_editor_shows_them(engine: Engine, org_id: int) -> None:
    text = (
        "vin,registration_number,fleet\n"
        f'{vin(1)},"two\nlines",A\n'  # a quoted cell over lines 2 and 3
        f"{vin(2)},R2,\n"
    )
    assert problems_of(engine, org_id, text) == [
        "line 2, column registration_number: registration_number must not contain control "
        "characters",
        "line 4, column fleet: fleet is required for a new vehicle",
    ]


def test_a_card_created_elsewhere_during_the_import_is_a_conflict(
    engine: Engine, org_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    with unit_of_work(engine) as db:
        db.add(Card(id_tag="RACED", organisation_id=org_id))
    # As if the card had been created by another request after the import read the cards.
    monkeypatch.setattr("fleetcharge.imports.vehicles._Plan._cards", lambda self, tags: {})
    text = csv_text(["vin", "registration_number", "fleet", "cards"], [[vin(1), "R", "A", "RACED"]])
    with pytest.raises(Conflict) as raised:
        load(engine, org_id, text)
    assert raised.value.message == (
        "a VIN or an id tag of the file was created elsewhere while it was imported; nothing "
        "was imported: import the file again"
    )
    with unit_of_work(engine) as db:
        assert db.scalar(select(func.count()).select_from(Vehicle)) == 0
