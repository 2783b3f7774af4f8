"""Charge sessions: recording completed charges and the /usage and /sessions views."""
