import pytest

from app.core.errors import Conflict
from app.organisations import service as organisations
from app.organisations.models import OrganisationType


def test_create_and_duplicate_name(session):
    org = organisations.create(
        session=session, name="  De Linie ", type=OrganisationType.corporatie
    )
    assert org.name == "De Linie"
    assert org.active
    with pytest.raises(Conflict):
        organisations.create(session=session, name="De Linie", type=OrganisationType.thuiszorg)
