"""What the HTTP endpoints share: the authorised unit of work, documented parameters, the
error shape, envelopes and links, and the Fleets API's shared wire schemas."""
