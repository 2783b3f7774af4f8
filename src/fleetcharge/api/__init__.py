"""The HTTP application: Fleets API v1 and its documentation."""
