"""The admin API (/api/admin/v1): the one way to change the network's data over HTTP.

Routes here are thin: authenticate the admin token, parse, call the domain service that the
CLI calls too, and render. Not part of the Fleets API: its own OpenAPI document and docs.
"""
