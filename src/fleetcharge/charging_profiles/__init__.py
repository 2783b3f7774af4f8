"""OCPP 1.6 Smart Charging: charging profiles sent to stations, and their record."""
