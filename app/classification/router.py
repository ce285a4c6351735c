from typing import Annotated

from fastapi import APIRouter, Depends

from app.api.deps import require
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.classification import service
from app.classification.schemas import ClassificationPublic, ClassifyRequest

router = APIRouter(tags=["classification"])


@router.post("/classify", summary="Classify a question (stores nothing)")
def classify(
    body: ClassifyRequest,
    _: Annotated[Principal, Depends(require(Scope.intakes_write))],
) -> ClassificationPublic:
    """Which domains (wonen, welzijn, zorg) a question concerns, with the evidence for each.
    Nothing is stored. Scope `intakes:write`."""
    return ClassificationPublic.model_validate(service.classify(body.text).as_dict())
