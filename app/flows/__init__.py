"""Cross-domain flows: a question through the desk, and the /intakes endpoints."""
