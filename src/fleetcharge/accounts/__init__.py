"""Operator staff and organisation members, and their admin API tokens (what each role may
do is `fleetcharge.permissions`)."""
