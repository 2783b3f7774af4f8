"""Demo data: a realistic Australian charging network and months of priced sessions.

`loader.load_demo` writes it to any database (COPY on PostgreSQL); `command.run_demo`
is what `fleetcharge demo` runs.
"""
