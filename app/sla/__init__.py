"""Deadlines (SLA): the policy per domain and urgency, in Dutch working days."""
