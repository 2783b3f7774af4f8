"""Tariffs as operators manage them: OCPI-style documents, overrides, quotes."""
