import uuid

from fastapi import APIRouter

from app.api.deps import DeploymentAdminDep, SessionDep
from app.core.openapi import problems
from app.retention import service
from app.retention.schemas import Erasure, ErasureRequest

router = APIRouter(prefix="/intakes", tags=["intakes"])


@router.post(
    "/{intake_id}/erasure", summary="Erase a resident's personal data", responses=problems(404)
)
def erase(
    intake_id: uuid.UUID,
    session: SessionDep,
    principal: DeploymentAdminDep,
    body: ErasureRequest | None = None,
) -> Erasure:
    """The resident's right to erasure (AVG art. 17): the question, full postcode, contact
    details, quoted words and notes of this intake and its referrals are removed at once; the
    counts the statistics need stay. The erasure itself goes in the access log. Front-office
    admins only. Asking again changes nothing and answers the same."""
    intake = service.erase(session=session, principal=principal, intake_id=intake_id)
    assert intake.anonymised_at is not None
    return Erasure(intake_id=intake.id, anonymised_at=intake.anonymised_at)
