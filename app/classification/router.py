from typing import Annotated

from fastapi import APIRouter, Depends

from app.api.deps import require
from app.classification import service
from app.classification.schemas import ClassificationPublic, ClassifyRequest
from app.core.security import Scope
from app.organisations.service import Principal

router = APIRouter(tags=["classification"])


@router.post("/classify", summary="Classify a question (stores nothing)")
def classify(
    body: ClassifyRequest,
    _: Annotated[Principal, Depends(require(Scope.intakes_write))],
) -> ClassificationPublic:
    """Which domains (wonen, welzijn, zorg) a question concerns, with the evidence for each.
    Nothing is stored. Scope `intakes:write`."""
    return ClassificationPublic.model_validate(service.classify(body.text).as_dict())
