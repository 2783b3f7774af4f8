"""Tariff pricing: a pure function from (tariff, session timeline) to priced periods."""
