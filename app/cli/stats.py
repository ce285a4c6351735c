"""`wijkwinkel stats`: the statistics cube."""

from typing import Annotated

import typer

from app.cli.unit_of_work import unit_of_work

stats_cli = typer.Typer(help="The statistics cube.", no_args_is_help=True)


@stats_cli.command("refresh")
def stats_refresh(
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Rebuild every month, not only the changed ones.")
    ] = False,
) -> None:
    """Bring the statistics cube up to date (the worker and requests also do this)."""
    import time

    from app.stats import cube

    started = time.perf_counter()
    with unit_of_work() as session:
        if rebuild:
            cube.reset(session)
        months = cube.refresh(session)
    typer.echo(
        f"statistics cube: {months} month(s) rebuilt in {time.perf_counter() - started:.1f} s"
    )
