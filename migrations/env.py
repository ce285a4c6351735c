from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table)
from app.core.database import make_engine

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Render our own column types with an import, so generated migrations run as they are.
    if type_ == "type" and obj.__class__.__module__.startswith("app."):
        autogen_context.imports.add(f"import {obj.__class__.__module__}")
        return f"{obj.__class__.__module__}.{obj.__class__.__name__}()"
    if type_ == "type" and obj.__class__.__module__.startswith("sqlmodel."):
        autogen_context.imports.add("import sqlmodel")
        return f"sqlmodel.sql.sqltypes.{obj.__class__.__name__}()"
    return False


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or str(make_engine().url),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or None
    engine = make_engine(url, for_migrations=True)
    with engine.connect() as conn:
        _run(conn)
        # The advisory lock opened the transaction before Alembic did, so Alembic leaves the
        # commit to us; on SQLite this is a no-op.
        conn.commit()
        if conn.dialect.name == "sqlite":
            # Foreign keys were not enforced while tables were rebuilt: check them now.
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"foreign key violations after migrating: {broken[:5]}")
    engine.dispose()


# Any constant: all migrating processes take the same PostgreSQL advisory lock.
MIGRATION_LOCK = 7_531_904


def _run(connection: Any) -> None:
    if connection.dialect.name == "postgresql":
        # Replicas starting at once migrate one after the other; the second finds nothing to do.
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite needs table rebuilds for most ALTERs
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
