"""Writes the demo network (organisations down to connectors) and finds it again."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.demo.network import DemoNetwork
from fleetcharge.demo.places import ORGANISATIONS, TARIFF_OVERRIDES
from fleetcharge.demo.world import NetworkIds
from fleetcharge.models import (
    Card,
    Connector,
    Fleet,
    Location,
    Organisation,
    Station,
    Tariff,
    TariffOverride,
    Vehicle,
)

DEMO_ORGANISATION_NAMES = tuple(org.name for org in ORGANISATIONS)


def existing_demo_organisations(db: Session) -> list[Organisation]:
    query = select(Organisation).where(Organisation.name.in_(DEMO_ORGANISATION_NAMES))
    found = {org.name: org for org in db.scalars(query)}
    return [found[name] for name in DEMO_ORGANISATION_NAMES if name in found]


def insert_network(db: Session, network: DemoNetwork) -> NetworkIds:
    organisations = {
        spec.key: Organisation(
            uuid=spec.uuid,
            name=spec.data.name,
            abn=spec.abn,
            billing_timezone=spec.data.billing_timezone,
            vehicle_fee=spec.data.vehicle_fee,
            station_subscription_fee=spec.data.station_subscription_fee,
            network_fee_per_kwh=spec.data.network_fee_per_kwh,
        )
        for spec in network.organisations
    }
    db.add_all(organisations.values())
    db.flush()
    org_ids = {key: org.id for key, org in organisations.items()}

    fleets = {
        spec.key: Fleet(
            uuid=spec.uuid, name=spec.name, organisation_id=org_ids[spec.organisation_key]
        )
        for spec in network.fleets
    }
    tariffs = {
        spec.key: Tariff(
            uuid=spec.uuid,
            owner_organisation_id=org_ids[spec.owner_key] if spec.owner_key else None,
            name=spec.name,
            currency=spec.currency,
            tax_rate=spec.tax_rate,
            parking_grace_minutes=spec.parking_grace_minutes,
            elements=spec.elements,
        )
        for spec in network.tariffs
    }
    db.add_all([*fleets.values(), *tariffs.values()])
    db.flush()

    locations: dict[str, Location] = {}
    stations: dict[str, Station] = {}
    for spec in network.locations:
        location = Location(
            uuid=spec.uuid,
            host_organisation_id=org_ids[spec.site.host_key],
            name=spec.site.name,
            address=spec.site.address,
            timezone=spec.site.timezone,
        )
        locations[spec.site.name] = location
        for station_spec in spec.stations:
            station = Station(
                uuid=station_spec.uuid,
                location=location,
                evse_id=station_spec.evse_id,
                name=station_spec.name,
                ocpp_identity=station_spec.ocpp_identity,
                current_type=station_spec.current_type,
                max_power_kw=station_spec.max_power_kw,
                tariff=tariffs[station_spec.tariff_key],
                connectors=[
                    Connector(connector_id=number, name=name)
                    for number, name in enumerate(station_spec.connector_names, start=1)
                ],
            )
            stations[station_spec.evse_id] = station
    db.add_all(locations.values())
    db.flush()
    db.add_all(
        TariffOverride(
            organisation_id=org_ids[o.organisation_key],
            location_id=locations[o.location_name].id,
            tariff_id=tariffs[o.tariff_key].id,
        )
        for o in TARIFF_OVERRIDES
    )

    vehicles: dict[str, Vehicle] = {}
    cards: dict[str, Card] = {}
    for vehicle_spec in network.vehicles:
        vehicle = Vehicle(
            uuid=vehicle_spec.uuid,
            fleet_id=fleets[vehicle_spec.fleet_key].id,
            organisation_id=org_ids[vehicle_spec.organisation_key],
            vin=vehicle_spec.vin,
            registration_number=vehicle_spec.registration_number,
            contract_number=vehicle_spec.contract_number,
            effective_from=vehicle_spec.effective_from,
            effective_to=vehicle_spec.effective_to,
        )
        vehicles[vehicle_spec.uuid.hex] = vehicle
        for card_spec in vehicle_spec.cards:
            card = Card(
                uuid=card_spec.uuid,
                id_tag=card_spec.id_tag,
                status=card_spec.status,
                organisation_id=org_ids[vehicle_spec.organisation_key],
            )
            vehicle.cards.append(card)
            cards[card_spec.id_tag] = card
    db.add_all(vehicles.values())
    db.flush()

    return NetworkIds(
        organisations=org_ids,
        fleets={key: fleet.id for key, fleet in fleets.items()},
        tariffs={key: tariff.id for key, tariff in tariffs.items()},
        locations={name: location.id for name, location in locations.items()},
        connectors={
            evse_id: tuple(c.id for c in station.connectors)
            for evse_id, station in stations.items()
        },
        vehicles={key: vehicle.id for key, vehicle in vehicles.items()},
        cards={tag: card.id for tag, card in cards.items()},
    )
