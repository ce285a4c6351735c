"""Organisations: the register of partners and the front office, and their kinds."""
