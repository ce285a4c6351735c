"""Consent as recorded steps (given, refused, withdrawn), and whether it is in force.

The consent in force lives on the intake; the rules here read it through `Consented`, the
fields any record that carries a resident's consent has, so consent depends on no intake code.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session, col, select

from app.auth.principal import Principal
from app.consent.models import ConsentRecord
from app.consent.schemas import PARTNER_TYPES, ConsentMethod
from app.core.errors import Conflict
from app.core.types import utcnow


class Consented(Protocol):
    """What the consent rules read (and, when consent changes, write) of an intake."""

    id: uuid.UUID
    organisation_id: uuid.UUID
    question: str
    classification: dict[str, Any]
    bsn_encrypted: str | None
    consent: bool
    consent_types: list[str]
    consent_withdrawn_at: datetime | None
    updated_at: datetime


class ConsentAlreadyWithdrawn(Conflict):
    title = "Consent already withdrawn"
    slug = "consent-already-withdrawn"


def record_initial(
    *,
    session: Session,
    principal: Principal,
    subject: Consented,
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
    subject.consent_types = types if subject.consent else []
    session.add(subject)
    session.flush()  # the subject first: the record points at it
    step = ConsentRecord(
        intake_id=subject.id,
        action="given" if subject.consent else "refused",
        method=method,
        organisation_types=subject.consent_types,
        wording=wording,
        organisation_id=principal.organisation_id,
        actor=principal.actor,
    )
    session.add(step)
    return step


def in_force(subject: Consented) -> bool:
    """Given and not withdrawn: only then may anything about the resident leave the desk."""
    return subject.consent and subject.consent_withdrawn_at is None


def history(*, session: Session, intake_id: uuid.UUID) -> list[ConsentRecord]:
    return list(
        session.exec(
            select(ConsentRecord)
            .where(col(ConsentRecord.intake_id) == intake_id)
            .order_by(col(ConsentRecord.at))
        ).all()
    )


def withdraw(
    *, session: Session, principal: Principal, subject: Consented, method: ConsentMethod
) -> datetime:
    """The resident takes consent back: from now on no partner sees the contact details.
    Returns the moment; telling the partners is the caller's (app/flows/intake.py)."""
    if not subject.consent:
        raise Conflict(
            "The resident never gave consent for this intake; there is nothing to withdraw."
        )
    if subject.consent_withdrawn_at is not None:
        raise ConsentAlreadyWithdrawn(
            f"Consent was withdrawn on {subject.consent_withdrawn_at:%Y-%m-%d %H:%M} UTC already."
        )
    now = utcnow()
    subject.consent_withdrawn_at = now
    subject.updated_at = now
    session.add(subject)
    session.add(
        ConsentRecord(
            intake_id=subject.id,
            action="withdrawn",
            method=method,
            organisation_types=[],
            organisation_id=principal.organisation_id,
            actor=principal.actor,
            at=now,
        )
    )
    return now
