"""One module per admin API resource."""
