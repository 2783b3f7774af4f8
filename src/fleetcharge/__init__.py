"""fleetcharge: EV charging platform backend for fleets."""

__version__ = "0.1.0"
