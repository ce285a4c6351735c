"""The access log (NEN 7513): every read or change of personal data, in one hash chain."""
