"""Reservations of a connector (ReserveNow) for a card, until they are used or expire."""
