"""Classification: which domains (wonen, welzijn, zorg) a question is about, why, and how urgent."""
