"""Locations, stations, their connectors, passwords and default tariffs."""
