from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session

from app.core.calendar import month_of, week_of
from app.referrals.models import Referral
from app.stats import cube
from app.stats.models import UnreferredSignal
from tests.conftest import Party
from tests.intakes.helpers import make_intake

POSTCODES = {"centrum": "3811 AB", "noord": "3813 CD", "hoogland": "3828 EF"}


def intakes(
    client: TestClient,
    party: Party,
    n: int,
    *,
    domains: list[str],
    where: str = "centrum",
    **kw: Any,
) -> list[dict[str, Any]]:
    return [
        make_intake(client, party, domains=domains, postcode=POSTCODES[where], **kw)
        for _ in range(n)
    ]


def stats(client: TestClient, party: Party, **params: Any) -> dict[str, Any]:
    r = client.get("/api/v1/stats/referrals", params=params, headers=party.headers)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def cells(body: dict[str, Any]) -> dict[tuple[str | None, ...], dict[str, Any]]:
    """The cells keyed by their group values, in group_by order."""
    return {tuple(c["group"][d] for d in body["group_by"]): c for c in body["data"]}


def move_in_time(session: Session, intake_ids: list[str], moment: datetime) -> None:
    """Pretend these intakes (and their referrals) were made at `moment`."""
    ids = [__import__("uuid").UUID(i) for i in intake_ids]
    values = {
        "created_at": moment,
        "created_month": month_of(moment),
        "created_week": week_of(moment),
    }
    session.execute(update(Referral).where(Referral.intake_id.in_(ids)).values(**values))  # type: ignore[attr-defined]
    session.execute(
        update(UnreferredSignal).where(UnreferredSignal.intake_id.in_(ids)).values(**values)  # type: ignore[attr-defined]
    )
    changed_behind_the_services(session)


def changed_behind_the_services(session: Session) -> None:
    """Rows were changed directly, not through the services: the cube cannot know (in use,
    referrals never move in time), so have it rebuilt."""
    cube.reset(session)
    session.commit()


def lead_times(session: Session, referral_ids: list[str], hours: list[float]) -> None:
    """Make each referral accepted `hours` after it was created."""
    import uuid

    for rid, h in zip(referral_ids, hours, strict=True):
        ref = session.get(Referral, uuid.UUID(rid))
        assert ref is not None
        ref.accepted_at = ref.created_at + timedelta(hours=h)
        session.add(ref)
    changed_behind_the_services(session)
