"""Operator staff and organisation members, their admin API tokens, and what each role may do."""
