"""Background jobs in one visible list: what runs, how often, whose rules (schedule.py)."""
