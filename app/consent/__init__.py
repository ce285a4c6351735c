"""Consent to share: the steps a resident took, and who may see what because of them."""
