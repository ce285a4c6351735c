"""The review queue: the intakes the front office should look at, each with the reasons why.

An intake is in the queue while one of its reasons holds and the front office has not looked at
it since that reason arose (`reviewed_at`). Reasons: it waits for the desk (needs_review); the
classifier was unsure and nobody chose the domains; an urgent signal nobody acknowledged; a
referral was rejected; a referral was forwarded a second time; no consent, so a call back waits.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, exists, or_, true
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.audit import service as audit
from app.auth.principal import Principal
from app.intakes.models import Intake
from app.intakes.schemas import IntakeStatus
from app.organisations.models import Organisation
from app.referrals.models import Referral
from app.referrals.states import ReferralStatus
from app.routing.schemas import RoutedBy

MAX_ITEMS = 200


class Reason(StrEnum):
    urgent = "urgent"
    needs_review = "needs_review"
    low_confidence = "low_confidence"
    rejected = "rejected"
    forwarded_twice = "forwarded_twice"
    no_consent = "no_consent"


# Why an item is there, in Dutch for the page (the API gives the code and these words).
REASON_TEXT = {
    Reason.urgent: "Mogelijk een noodsituatie; nog niemand heeft gezegd wat er is gedaan.",
    Reason.needs_review: "Niet doorgestuurd: geen onderwerp herkend of geen organisatie gevonden.",
    Reason.low_confidence: "De indeling was onzeker en niemand heeft de onderwerpen gekozen.",
    Reason.rejected: "Een partner heeft de verwijzing afgewezen.",
    Reason.forwarded_twice: "De verwijzing is twee keer doorgestuurd.",
    Reason.no_consent: "Geen toestemming om te delen: bel de bewoner terug.",
}


@dataclass
class QueueItem:
    intake: Intake
    organisation_name: str
    reasons: list[Reason] = field(default_factory=list)


def _not_seen_since(moment: Any) -> ColumnElement[bool]:
    return or_(col(Intake.reviewed_at).is_(None), col(Intake.reviewed_at) < moment)


def _conditions() -> dict[Reason, ColumnElement[bool]]:
    r, earlier = Referral, aliased(Referral)
    rejected = exists().where(
        col(r.intake_id) == col(Intake.id),
        col(r.status) == str(ReferralStatus.rejected),
        _not_seen_since(col(r.closed_at)),
    )
    # A referral that came from a forwarded referral which itself came by forwarding.
    second_forward = exists().where(
        col(r.intake_id) == col(Intake.id),
        col(r.routed_by) == str(RoutedBy.forwarded),
        col(r.forwarded_from_id) == col(earlier.id),
        col(earlier.routed_by) == str(RoutedBy.forwarded),
        _not_seen_since(col(r.created_at)),
    )
    return {
        Reason.urgent: and_(
            col(Intake.urgent).is_(True), col(Intake.urgent_acknowledged_at).is_(None)
        ),
        Reason.needs_review: and_(
            col(Intake.status) == str(IntakeStatus.needs_review),
            _not_seen_since(col(Intake.updated_at)),
        ),
        Reason.low_confidence: and_(
            col(Intake.classification)["low_confidence"].as_boolean() == true(),
            col(Intake.domains_confirmed_at).is_(None),
            col(Intake.reviewed_at).is_(None),
            col(Intake.status) != str(IntakeStatus.closed),
        ),
        Reason.rejected: rejected,
        Reason.forwarded_twice: second_forward,
        Reason.no_consent: and_(
            col(Intake.status) == str(IntakeStatus.no_consent),
            col(Intake.reviewed_at).is_(None),
        ),
    }


def items(*, session: Session, principal: Principal, limit: int = MAX_ITEMS) -> list[QueueItem]:
    """The queue, urgent first, then the oldest intake first. Listing shows the questions:
    logged as a read."""
    conditions = _conditions()
    stmt = (
        select(Intake, Organisation.name, *(c.label(str(r)) for r, c in conditions.items()))
        .join(Organisation, col(Organisation.id) == col(Intake.organisation_id))
        .where(col(Intake.anonymised_at).is_(None), or_(*conditions.values()))
        .order_by(col(Intake.urgent).desc(), col(Intake.created_at))
        .limit(limit)
    )
    found: list[QueueItem] = []
    rows: list[Any] = list(session.execute(stmt).all())
    for row in rows:
        intake, name, flags = row[0], row[1], list(row[2:])
        reasons = [reason for reason, flag in zip(conditions, flags, strict=True) if flag]
        found.append(QueueItem(intake=intake, organisation_name=name, reasons=reasons))
    audit.record_intakes(
        session=session,
        principal=principal,
        action=audit.Action.read,
        purpose=audit.Purpose.review,
        intake_ids=[i.intake.id for i in found],
    )
    return found
