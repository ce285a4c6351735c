"""How a command fails, and the one database transaction a command runs in."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from sqlmodel import Session

from app.core.database import get_engine
from app.core.errors import WijkwinkelError


def fail(message: str) -> NoReturn:
    """Stop the command: `error: <message>` on stderr, exit code 1."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """A session for one command: committed when the block ends normally, rolled back when it
    raises. A domain error (WijkwinkelError) ends the command in plain words (`fail`), not a
    traceback.

    The commit expires what the session loaded, and the session is closed after the block: read
    what the output needs inside the block, print it after, so nothing is printed for work that
    was not committed."""
    with Session(get_engine()) as session:
        try:
            yield session
            session.commit()  # inside the try: the commit-time writers can raise too
        except WijkwinkelError as exc:
            session.rollback()
            fail(exc.detail)
        except BaseException:  # typer.Exit from `fail` included: nothing half-done is kept
            session.rollback()
            raise
