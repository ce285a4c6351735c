"""`wijkwinkel stats` (app/cli/stats.py)."""

from typer.testing import CliRunner

from app.cli import cli

runner = CliRunner()


def test_stats_refresh_command():
    r = runner.invoke(cli, ["stats", "refresh", "--rebuild"])
    assert r.exit_code == 0, r.output
    assert "statistics cube" in r.stdout
