"""Referrals: work for partners, from creation to a final status, with deadlines."""
