"""Statistics for the gemeente: aggregates with small counts suppressed, never a resident."""
