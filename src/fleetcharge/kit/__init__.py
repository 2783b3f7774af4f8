"""Small pieces shared by the domains and the HTTP layers: field checks and cursor paging.
Nothing here imports the web framework."""
