"""wijkwinkel: one front office for wonen, welzijn and zorg."""

__version__ = "0.1.0"
