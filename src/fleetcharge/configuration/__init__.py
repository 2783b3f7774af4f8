"""Charge stations' configuration keys: the OCPP 1.6 catalogue of standard keys, and each
station's keys as it last reported them (GetConfiguration) or accepted a change of them
(ChangeConfiguration)."""
