"""Firmware updates, diagnostics and log uploads: the files operators upload for stations to
download, the requests sent to stations, the statuses they report and the files they send."""
