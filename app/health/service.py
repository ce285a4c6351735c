"""Liveness and readiness."""

from functools import lru_cache

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app.core.config import PROJECT_ROOT
from app.core.errors import ServiceUnavailable


@lru_cache
def migration_head() -> str | None:
    cfg = Config()
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return ScriptDirectory.from_config(cfg).get_current_head()


def check_ready(*, session: Session) -> dict[str, str]:
    try:
        current = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError as exc:
        raise ServiceUnavailable(
            "The database cannot be reached or has not been migrated (run `wijkwinkel migrate`).",
            headers={"Retry-After": "10"},
        ) from exc
    head = migration_head()
    if current != head:
        raise ServiceUnavailable(
            f"The database schema is at revision {current}, the code expects {head}: "
            "run `wijkwinkel migrate`.",
            headers={"Retry-After": "10"},
        )
    return {"status": "ready", "database": session.get_bind().dialect.name, "schema": str(head)}
