"""How the command is started: `app.cli:main` (the console script) and `python -m app.cli`, with
every command group in place (app/cli/__init__.py)."""

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from app.cli import cli

runner = CliRunner()

COMMANDS = {
    None: [
        *("serve", "worker", "migrate", "demo", "openapi", "purge"),
        *("org", "key", "classifier", "audit", "stats", "user"),
    ],
    "org": ["create"],
    "key": ["create", "revoke", "rotate"],
    "user": ["create", "set-password", "deactivate", "activate"],
    "classifier": ["eval", "train", "cv", "export-corrections"],
    "stats": ["refresh"],
    "audit": ["verify"],
}


def _listed(help_text: str) -> list[str]:
    """The command names in the Commands box of a --help, in order."""
    box = help_text.split("Commands")[1]
    rows = [line for line in box.splitlines() if line.startswith("│ ")]
    return [row.split()[1] for row in rows if row[2] != " "]  # not a help text's next line


@pytest.mark.parametrize("group", list(COMMANDS))
def test_help_lists_every_command(group):
    r = runner.invoke(cli, [group, "--help"] if group else ["--help"], terminal_width=100)
    assert r.exit_code == 0, r.output
    assert _listed(r.stdout) == COMMANDS[group]


def test_python_m_app_cli_runs_the_command():
    r = subprocess.run(
        [sys.executable, "-m", "app.cli", "key", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert "rotate" in r.stdout
