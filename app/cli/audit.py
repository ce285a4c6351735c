"""`wijkwinkel audit`: check the access log of personal data."""

import typer

from app.cli.unit_of_work import fail, unit_of_work

audit_cli = typer.Typer(help="The access log of personal data.", no_args_is_help=True)


@audit_cli.command("verify")
def audit_verify() -> None:
    """Check the access log's hash chain from the first entry to the last (exit 1 if broken)."""
    from app.audit import service as audit

    with unit_of_work() as session:  # reads only: its commit writes nothing
        result = audit.verify(session=session)
    if result.intact:
        typer.echo(f"access log intact: {result.entries} entries, chain unbroken")
        typer.echo(f"last hash: {result.head_hash} (keep it outside the database)")
        return
    fail(
        f"access log broken at entry {result.broken_at}: {result.reason} "
        f"({result.entries} entries before it are intact)"
    )
