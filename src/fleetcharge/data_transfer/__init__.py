"""OCPP DataTransfer: vendors' own messages from stations, routed to the handlers registered
for their vendorId and messageId (see `registry`)."""
