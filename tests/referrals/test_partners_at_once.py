"""The partners of one intake change their referrals at the same moment: each is served, none
meets a deadlock, and the intake closes once the last one is final."""

import threading

import httpx
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.intakes.models import Intake
from app.referrals.models import Referral, ReferralEvent
from tests.conftest import World
from tests.intakes.helpers import make_intake
from tests.referrals.helpers import set_status

INTAKES = 40
BEFORE_DONE = ["received", "accepted", "in_progress"]


def test_partners_complete_the_referrals_of_one_intake_at_the_same_moment(
    client: TestClient, world: World, live_server: str, session: Session
) -> None:
    owner = {"wonen": world.corporatie, "zorg": world.thuiszorg}
    work: list[tuple[str, str, str]] = []  # (intake, referral, domain)
    for _ in range(INTAKES):
        intake = make_intake(client, world.thuiszorg, domains=["wonen", "zorg"])
        assert len(intake["referrals"]) == 2
        for ref in intake["referrals"]:
            for step in BEFORE_DONE:
                r = set_status(client, owner[ref["domain"]], ref["id"], step)
                assert r.status_code == 200, r.text
            work.append((intake["id"], ref["id"], ref["domain"]))

    start = threading.Barrier(len(work))
    answers: dict[str, tuple[int, str]] = {}

    def complete(referral_id: str, domain: str) -> None:
        with httpx.Client(base_url=live_server, timeout=60) as c:
            start.wait()
            r = c.post(
                f"/api/v1/referrals/{referral_id}/status",
                json={"status": "completed", "outcome": "geholpen"},
                headers=owner[domain].headers,
            )
            answers[referral_id] = (r.status_code, r.text)

    threads = [threading.Thread(target=complete, args=(rid, d)) for _, rid, d in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)

    failed = {rid: a for rid, a in answers.items() if a[0] != 200}
    assert len(answers) == len(work)
    assert not failed, f"{len(failed)} of {len(work)} failed, e.g. {next(iter(failed.values()))}"

    intake_ids = {i for i, _, _ in work}
    statuses = session.exec(
        select(Intake.status).where(col(Intake.id).in_([_uuid(i) for i in intake_ids]))
    ).all()
    assert sorted(statuses) == ["closed"] * INTAKES
    for intake_id in intake_ids:
        r = client.get(f"/api/v1/intakes/{intake_id}", headers=world.thuiszorg.headers)
        assert r.json()["status"] == "closed"
        assert r.json()["closed_at"] is not None
    # Every referral's history is whole: created, three steps, completed; each with a position.
    for _, rid, domain in work:
        events = session.exec(
            select(ReferralEvent)
            .where(ReferralEvent.referral_id == _uuid(rid))
            .order_by(col(ReferralEvent.feed_seq))
        ).all()
        assert [e.to_status for e in events] == ["requested", *BEFORE_DONE, "completed"]
        assert all(e.feed_seq is not None for e in events)
        r = client.get(f"/api/v1/referrals/{rid}/history", headers=owner[domain].headers)
        assert [e["to_status"] for e in r.json()["data"]][-1] == "completed"
    done = session.exec(select(Referral.status).where(Referral.status == "completed")).all()
    assert len(done) == len(work)


def _uuid(value: str):  # type: ignore[no-untyped-def]
    import uuid

    return uuid.UUID(value)
