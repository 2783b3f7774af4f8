"""API tokens: issuing, listing, revoking and authenticating bearer tokens."""
