"""The campaign plan's rules, in one place (SPEC §3–§6)."""
