"""A review-queue item and the agreement figures as the API shows them."""

from app.classification.domains import Domain
from app.intakes.schemas import Channel, IntakeStatus
from app.review.agreement import Agreement
from app.review.queue import REASON_TEXT, QueueItem
from app.review.schemas import (
    AgreementCell,
    AgreementTable,
    ReviewItem,
    ReviewReason,
)


def item_public(item: QueueItem) -> ReviewItem:
    intake = item.intake
    return ReviewItem(
        intake_id=intake.id,
        organisation_id=intake.organisation_id,
        organisation_name=item.organisation_name,
        status=IntakeStatus(intake.status),
        channel=Channel(intake.channel),
        question=intake.question[:300],
        domains=[Domain(d) for d in intake.domains],
        urgent=intake.urgent,
        urgent_reasons=intake.urgent_reasons,
        reasons=[ReviewReason(reason=r, text=REASON_TEXT[r]) for r in item.reasons],
        created_at=intake.created_at,
        reviewed_at=intake.reviewed_at,
    )


def agreement_public(found: Agreement) -> AgreementTable:
    return AgreementTable(
        data=[
            AgreementCell(
                month=c.month,
                domain=c.domain,
                kept=c.kept,
                removed=c.removed,
                added=c.added,
                agreement=c.agreement,
            )
            for c in found.cells
        ],
        intakes=found.intakes,
    )
