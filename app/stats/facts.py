"""What the statistics need to know about an intake that no referral carries, written when the
intake is recorded or corrected, so the dashboard queries read one table without joins. (A
referral carries its own facts: app/referrals/creation.py.)"""

from collections.abc import Iterable

from sqlmodel import Session, col, delete

from app.classification.stored import top_subcategory
from app.core.calendar import month_of, week_of
from app.intakes.models import Intake
from app.stats.models import UnreferredSignal

NO_CONSENT = "no_consent"
NEEDS_REVIEW = "needs_review"


def record_unreferred(*, session: Session, intake: Intake, unrouted: Iterable[str] = ()) -> None:
    """Bring the intake's unreferred rows in line with its state: one per domain that no
    referral carries (or one without a domain when none was recognised)."""
    session.exec(delete(UnreferredSignal).where(col(UnreferredSignal.intake_id) == intake.id))
    if not intake.consent:
        rows: list[tuple[str | None, str]] = [(d, NO_CONSENT) for d in intake.domains] or [
            (None, NO_CONSENT)
        ]
    elif not intake.domains:
        rows = [(None, NEEDS_REVIEW)]
    else:
        rows = [(d, NEEDS_REVIEW) for d in dict.fromkeys(unrouted)]
    for domain, reason in rows:
        session.add(
            UnreferredSignal(
                intake_id=intake.id,
                domain=domain,
                subcategory=top_subcategory(intake.classification, domain) if domain else None,
                reason=reason,
                channel=intake.channel,
                area_id=intake.area_id,
                created_at=intake.created_at,
                created_month=month_of(intake.created_at),
                created_week=week_of(intake.created_at),
            )
        )
