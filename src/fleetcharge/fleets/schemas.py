from pydantic import BaseModel, Field

from fleetcharge.api.schemas import Card, Customer, Pagination


class VehicleOut(BaseModel):
    uuid: str
    contract_number: str | None
    vin: str
    registration_number: str
    effective_from: str = Field(description="Date the vehicle was activated (YYYY-MM-DD).")
    effective_to: str | None = Field(description="Date the vehicle was retired; null if active.")
    customer: Customer
    cards: list[Card] = Field(description="Active RFID cards attached to the vehicle.")


class VehicleData(BaseModel):
    vehicles: list[VehicleOut]


class VehiclePage(BaseModel):
    data: VehicleData
    pagination: Pagination
