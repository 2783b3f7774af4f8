"""Organisations, fleets, vehicles and cards; the /vehicles view."""
