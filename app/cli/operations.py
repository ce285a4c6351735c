"""The top-level commands that run and maintain the service: serve, worker, migrate, openapi,
purge. Registered on `wijkwinkel` itself by app/cli/__init__.py."""

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from app.core.config import get_settings


def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (WIJKWINKEL_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (WIJKWINKEL_PORT).")] = None,
    workers: Annotated[int | None, typer.Option(help="Processes (WIJKWINKEL_WORKERS).")] = None,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development).")] = False,
) -> None:
    """Serve the API with uvicorn."""
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "app.main:app",
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        reload=reload,
        log_level=settings.log_level,
        proxy_headers=True,
    )


def worker(
    once: Annotated[
        bool, typer.Option(help="Run each job once and deliver what is due now, then stop.")
    ] = False,
) -> None:
    """Run the background jobs until stopped: overdue announcements, webhook fan-out and
    delivery, the statistics cube, the daily retention purge (app/jobs/schedule.py). One per
    SQLite database; any number on PostgreSQL."""
    import logging

    from app.jobs import runner

    logging.basicConfig(level=get_settings().log_level.upper())
    if once:
        typer.echo(f"{runner.run_once()} deliveries attempted")
        return
    runner.run(poll_seconds=get_settings().worker_poll_seconds)


def migrate(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Upgrade the database schema (Alembic) to the newest revision."""
    from app.core import migrate as migrations

    migrations.upgrade(revision=revision)
    typer.echo(f"database migrated to {revision}")


def openapi(
    output: Annotated[Path | None, typer.Option(help="File to write; default stdout.")] = None,
) -> None:
    """Print (or write) the OpenAPI document."""
    from app.main import app

    text = json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def purge(
    older_than_days: Annotated[
        int | None,
        typer.Option(help="Instead of WIJKWINKEL_RETENTION_MONTHS: intakes closed this long ago."),
    ] = None,
) -> None:
    """Anonymise the personal data of intakes closed longer ago than the retention period."""
    from datetime import timedelta

    from app.retention import service as retention

    older_than = timedelta(days=older_than_days) if older_than_days is not None else None
    result = retention.purge_all(older_than=older_than)
    typer.echo(
        f"anonymised {result.anonymised} intake(s) closed before {result.cutoff:%Y-%m-%d %H:%M} UTC"
    )
