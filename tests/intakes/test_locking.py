"""A domain correction and a status change on the same intake at the same time: one waits for
the other, neither deadlocks, and the loser sees the winner's result."""

import threading
import time
from datetime import timedelta

from sqlmodel import Session

from app.auth.api_keys import authenticate
from app.classification.schemas import Domain
from app.core.database import get_engine
from app.flows import intake as flow
from app.intakes.schemas import Channel, IntakeCreate
from app.referrals import changes
from app.referrals.states import ReferralStatus


def test_correction_and_status_change_do_not_deadlock(world, monkeypatch):
    with Session(get_engine(), expire_on_commit=False) as s:
        principal = {
            name: authenticate(
                session=s, token=getattr(world, name).key, last_used_resolution=timedelta(0)
            )
            for name in ("thuiszorg", "corporatie")
        }
        view = flow.record(
            session=s,
            principal=principal["thuiszorg"],
            request=IntakeCreate(
                question="lekkage", channel=Channel.balie, consent=True, domains=[Domain.wonen]
            ),
        )
        s.commit()
    intake_id, referral_id = view.intake.id, view.referrals[0][0].id

    gate = threading.Event()
    original = changes.cancel_for_correction

    def slow_cancel(**kwargs):  # hold the correction's locks a moment
        gate.wait(5)
        return original(**kwargs)

    monkeypatch.setattr(changes, "cancel_for_correction", slow_cancel)
    outcome: dict[str, str] = {}

    def correct() -> None:
        try:
            with Session(get_engine()) as s:
                flow.correct_domains(
                    session=s,
                    principal=principal["thuiszorg"],
                    intake_id=intake_id,
                    domains=[Domain.zorg],
                    note=None,
                )
                s.commit()
            outcome["correct"] = "ok"
        except Exception as exc:
            outcome["correct"] = type(exc).__name__

    def change() -> None:
        try:
            with Session(get_engine()) as s:
                changes.change_status(
                    session=s,
                    principal=principal["corporatie"],
                    referral_id=referral_id,
                    status=ReferralStatus.received,
                )
                s.commit()
            outcome["status"] = "ok"
        except Exception as exc:
            outcome["status"] = type(exc).__name__

    a = threading.Thread(target=correct)
    a.start()
    time.sleep(0.5)
    b = threading.Thread(target=change)
    b.start()
    time.sleep(0.5)
    gate.set()
    a.join(20)
    b.join(20)
    assert outcome == {"correct": "ok", "status": "IllegalTransition"}
