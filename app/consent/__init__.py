"""Consent to share: the steps a resident took (given, refused, withdrawn), and who may see
what of a question and its resident because of them."""
