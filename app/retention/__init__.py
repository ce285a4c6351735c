"""Retention: anonymising personal data when its time is up, or when the resident asks."""
