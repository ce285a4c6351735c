"""The transaction every command runs in (app/cli/unit_of_work.py)."""

import pytest
import typer
from sqlmodel import Session, select

from app.cli.unit_of_work import unit_of_work
from app.core.database import get_engine
from app.organisations import service
from app.organisations.models import Organisation, OrganisationType


def _create(*names: str, then: Exception | None = None) -> None:
    """Create organisations in one unit of work, then raise `then` if given."""
    with unit_of_work() as session:
        for name in names:
            service.create(session=session, name=name, type=OrganisationType.welzijn)
        if then is not None:
            raise then


def _names() -> list[str]:
    with Session(get_engine()) as session:
        return [o.name for o in session.exec(select(Organisation)).all()]


def test_the_block_is_committed_when_it_ends_normally():
    _create("Kept")
    assert _names() == ["Kept"]


def test_a_domain_error_is_rolled_back_and_said_in_plain_words(capsys):
    with pytest.raises(typer.Exit) as stopped:
        _create("Gone", "Gone")  # the second one is a Conflict
    assert stopped.value.exit_code == 1
    assert capsys.readouterr().err == "error: An organisation named 'Gone' already exists.\n"
    assert _names() == []


def test_any_other_error_is_rolled_back_and_passed_on():
    with pytest.raises(KeyError):
        _create("Gone", then=KeyError("boom"))
    assert _names() == []
