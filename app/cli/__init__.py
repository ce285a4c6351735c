"""The `wijkwinkel` command line: the typer application that puts the command groups together."""

import typer

from app.cli import demo, operations
from app.cli.audit import audit_cli
from app.cli.classifier import classifier_cli
from app.cli.keys import key_cli
from app.cli.organisations import org_cli
from app.cli.stats import stats_cli
from app.cli.users import user_cli

cli = typer.Typer(help="Wijkwinkel: één loket voor wonen, welzijn en zorg.", no_args_is_help=True)


@cli.callback()
def _start() -> None:
    """Every command may write (an access-log entry at the least): install the commit-time
    writers first."""
    from app import models

    models.install()


# In this order: it is the order `wijkwinkel --help` lists them in.
for command in (
    operations.serve,
    operations.worker,
    operations.migrate,
    demo.demo,
    operations.openapi,
    operations.purge,
):
    cli.command()(command)
for group, name in (
    (org_cli, "org"),
    (key_cli, "key"),
    (classifier_cli, "classifier"),
    (audit_cli, "audit"),
    (stats_cli, "stats"),
    (user_cli, "user"),
):
    cli.add_typer(group, name=name)


def main() -> None:
    cli()
