"""Per-token, per-endpoint rate limits shared by every API process (Redis) or in-process."""
