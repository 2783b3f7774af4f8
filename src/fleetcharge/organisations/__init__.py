"""Organisations: the network's customers, their billing settings and invoice details."""
