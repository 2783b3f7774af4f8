"""Bulk import of CSV files: vehicles with their cards, locations with their stations and
connectors. All or nothing: every problem of a file is reported before anything is written."""
