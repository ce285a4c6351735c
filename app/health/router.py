from fastapi import APIRouter

from app.api.deps import SessionDep
from app.core.config import API_VERSION
from app.core.openapi import problems
from app.health import service
from app.health.schemas import Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness")
def health() -> Health:
    """Answers as long as the process runs; no database, no authentication."""
    return Health(status="ok", version=API_VERSION)


@router.get("/ready", summary="Readiness", responses=problems(503))
def ready(session: SessionDep) -> Readiness:
    """200 when the database answers and its schema is at the code's migration head, else 503."""
    result = service.check_ready(session=session)
    return Readiness(status="ready", database=result["database"], schema_revision=result["schema"])
