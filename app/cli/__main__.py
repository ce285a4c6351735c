"""`python -m app.cli`: the `wijkwinkel` command, for subprocesses and machines without the
console script."""

from app.cli import main

main()
