"""Routing rules: which organisation gets which domain, per area."""
