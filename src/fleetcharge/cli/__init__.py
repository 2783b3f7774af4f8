"""The `fleetcharge` command line."""
