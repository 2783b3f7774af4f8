"""OCPP 1.6J charge point simulator with realistic EV charging curves (`fleetcharge simulate`)."""
