"""Small pieces shared by the domains and the HTTP layers: list paging and parameters, wire
formats and the JSON records built from them, field checks, cursor paging. Nothing here
imports the web framework."""
