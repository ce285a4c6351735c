"""Consent to share: recorded as steps (given, refused, withdrawn), enforced on every view."""

import re
import uuid
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from app.auth.principal import Principal
from app.classification.engine import fold
from app.consent.models import ConsentRecord
from app.consent.schemas import PARTNER_TYPES, ConsentMethod
from app.core.errors import Conflict
from app.core.types import utcnow
from app.intakes.models import Intake
from app.outbox import service as outbox
from app.outbox.service import EventType
from app.referrals.models import Referral
from app.referrals.states import FINAL, ReferralStatus


class ConsentAlreadyWithdrawn(Conflict):
    title = "Consent already withdrawn"
    slug = "consent-already-withdrawn"


def record_initial(
    *,
    session: Session,
    principal: Principal,
    intake: Intake,
    method: ConsentMethod,
    organisation_types: Sequence[str] | None,
    wording: str | None,
) -> ConsentRecord:
    """The consent asked at the intake: given (for these kinds of partner) or refused."""
    types = (
        [str(t) for t in organisation_types]
        if organisation_types
        else [str(t) for t in PARTNER_TYPES]
    )
    intake.consent_types = types if intake.consent else []
    session.add(intake)
    session.flush()  # the intake first: the record points at it
    step = ConsentRecord(
        intake_id=intake.id,
        action="given" if intake.consent else "refused",
        method=method,
        organisation_types=intake.consent_types,
        wording=wording,
        organisation_id=principal.organisation_id,
        actor=principal.actor,
    )
    session.add(step)
    return step


NOTHING_FOR_YOU = (
    "[De vraag noemt uw domein niet met zoveel woorden; de delen over andere domeinen zijn "
    "weggelaten. Vraag de wijkwinkel om toelichting.]"
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def _cue_words(found: dict[str, Any]) -> list[str]:
    """The words that tied a domain to the question: the subcategories' cue words (from the
    lexicon), not the learned layer's word stems, which also pick up words like 'heeft'."""
    words = [e for sub in found.get("subcategories") or [] for e in sub.get("evidence") or []]
    return [fold(w) for w in (words or found.get("evidence") or []) if w]


def question_part(intake: Intake, domain: str, principal: Principal) -> tuple[str, bool]:
    """The part of the question a partner acting on `domain` may read, and whether it is the
    whole question. A multi-domain question is split into sentences; a sentence that the
    classifier tied only to other domains (by the words it quoted) is left out, so the
    corporatie does not read about the resident's psychiatric care. Neutral sentences stay:
    they are the context everyone needs. The recorder and the desk read everything."""
    if principal.is_frontoffice or principal.organisation_id == intake.organisation_id:
        return intake.question, True
    evidence = {d.get("domain"): _cue_words(d) for d in intake.classification.get("domains", [])}
    others = {d for d in evidence if d != domain}
    if not others:
        return intake.question, True
    kept, dropped = [], False
    for sentence in (s for s in _SENTENCE.split(intake.question) if s.strip()):
        folded = fold(sentence)
        tied = {d for d, words in evidence.items() if any(w in folded for w in words)}
        if tied and domain not in tied:
            dropped = True
            continue
        kept.append(sentence.strip())
    if not kept:
        # Every sentence is about other domains (this one was added by staff or by the
        # learned layer, without cue words): better ask the desk than read the rest.
        return NOTHING_FOR_YOU, False
    return " ".join(kept), not dropped


def in_force(intake: Intake) -> bool:
    """Given and not withdrawn: only then may anything about the resident leave the desk."""
    return intake.consent and intake.consent_withdrawn_at is None


def covers(intake: Intake, principal: Principal) -> bool:
    """May this caller see the resident's contact details and full postcode?"""
    if principal.is_frontoffice or principal.organisation_id == intake.organisation_id:
        return True  # they recorded it, or run the desk
    return in_force(intake) and str(principal.organisation_type) in (intake.consent_types or [])


def history(*, session: Session, intake_id: uuid.UUID) -> list[ConsentRecord]:
    return list(
        session.exec(
            select(ConsentRecord)
            .where(col(ConsentRecord.intake_id) == intake_id)
            .order_by(col(ConsentRecord.at))
        ).all()
    )


def withdraw(
    *,
    session: Session,
    principal: Principal,
    intake: Intake,
    method: ConsentMethod,
    referrals: Sequence[Referral],
) -> None:
    """The resident takes consent back: from now on no partner sees the contact details, and
    every organisation with an open referral is told (referral.consent_withdrawn)."""
    if not intake.consent:
        raise Conflict(
            "The resident never gave consent for this intake; there is nothing to withdraw."
        )
    if intake.consent_withdrawn_at is not None:
        raise ConsentAlreadyWithdrawn(
            f"Consent was withdrawn on {intake.consent_withdrawn_at:%Y-%m-%d %H:%M} UTC already."
        )
    now = utcnow()
    intake.consent_withdrawn_at = now
    intake.updated_at = now
    session.add(intake)
    session.add(
        ConsentRecord(
            intake_id=intake.id,
            action="withdrawn",
            method=method,
            organisation_types=[],
            organisation_id=principal.organisation_id,
            actor=principal.actor,
            at=now,
        )
    )
    # The intake's referrals, locked by the caller before the intake (the lock order used
    # everywhere), so no forward or correction slips in between.
    open_referrals = [r for r in referrals if ReferralStatus(r.status) not in FINAL]
    for referral in open_referrals:
        outbox.emit(
            session=session,
            type=EventType.referral_consent_withdrawn,
            organisation_id=referral.organisation_id,
            referral_id=referral.id,
            intake_id=intake.id,
            data={"status": ReferralStatus(referral.status), "withdrawn_at": now.isoformat()},
        )
    session.flush()
