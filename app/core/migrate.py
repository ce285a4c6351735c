"""Run Alembic from code (CLI, tests), against the configured database."""

import logging
import time

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app.core.config import PROJECT_ROOT, get_settings

log = logging.getLogger(__name__)


def alembic_config(url: str | None = None) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    return cfg


def upgrade(url: str | None = None, revision: str = "head") -> None:
    cfg = alembic_config(url)
    target = url or get_settings().database_url
    attempts = 3 if make_url(target).get_backend_name() == "sqlite" else 1
    for attempt in range(1, attempts + 1):
        try:
            command.upgrade(cfg, revision)
            return
        except OperationalError as exc:
            # SQLite has no advisory lock: processes that create and migrate a new database
            # at the same moment can find it busy. Another try reads the version table again
            # and finds the work done (or does it).
            if attempt == attempts:
                raise
            log.warning("migration attempt %d met a busy database (%s); trying again", attempt, exc)
            time.sleep(attempt)


def check(url: str | None = None) -> None:
    """Raises when the models and the migrated database differ."""
    command.check(alembic_config(url))
