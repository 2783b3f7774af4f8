"""Local Authorization Lists: which cards each station holds, and what it accepted."""
