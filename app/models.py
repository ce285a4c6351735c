"""Imports every table model, so SQLModel.metadata is complete (Alembic, tests)."""

from app.core import database  # noqa: F401  (sets the naming convention first)
from app.organisations.models import ApiKey, Organisation

__all__ = ["ApiKey", "Organisation"]
