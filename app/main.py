"""The ASGI application."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI

from app.areas.router import router as areas_router
from app.audit.router import router as audit_router
from app.classification import service as classification
from app.classification.router import router as classification_router
from app.core.config import API_PREFIX, API_VERSION, get_settings
from app.core.errors import install_error_handlers
from app.core.middleware import APIVersionMiddleware
from app.core.openapi import build_openapi
from app.health.router import router as health_router
from app.intakes.router import router as intakes_router
from app.organisations.router import router as organisations_router
from app.referrals.router import router as referrals_router
from app.routing.router import router as routing_router
from app.sla.router import router as sla_router
from app.stats.router import router as stats_router
from app.webhooks.router import router as webhooks_router

DESCRIPTION = """
**Wijkwinkel** is één loket for housing (*wonen*), welfare (*welzijn*) and care (*zorg*).
A resident's question is recorded as an intake, classified into domains, and routed as referrals
to the partner organisations that should act (woningcorporatie, thuiszorg, gemeente, welzijn,
zorgcoöperatie). Partners poll their referrals or receive webhooks and report status back.

Authenticate with an API key: `Authorization: Bearer <key>`. Each key belongs to one
organisation and carries scopes. Errors are `application/problem+json` (RFC 9457).
""".strip()


TAGS = [
    {"name": "health", "description": "Liveness and readiness, without authentication."},
    {"name": "organisations", "description": "Connected organisations and their API keys."},
    {"name": "classification", "description": "Which domains a question concerns."},
    {"name": "intakes", "description": "Questions recorded at the front office."},
    {"name": "referrals", "description": "Work for partners: the feed, status, forwarding."},
    {"name": "routing", "description": "Which organisation gets which domain, per area."},
    {"name": "areas", "description": "Neighbourhoods (wijken) as sets of PC4 postcodes."},
    {"name": "sla", "description": "Deadlines in Dutch working days."},
    {"name": "stats", "description": "Outcomes for the gemeente: aggregates, never a resident."},
    {"name": "audit", "description": "Who read or changed personal data, when and why."},
    {"name": "webhooks", "description": "Pushing your events to your systems, signed."},
]


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    # Build the classifier before the first request, not during it.
    classification.warm_up()
    yield


def create_app() -> FastAPI:
    settings = get_settings()
    logging.basicConfig(level=settings.log_level.upper())
    app = FastAPI(
        lifespan=lifespan,
        title="Wijkwinkel API",
        version=API_VERSION,
        description=DESCRIPTION,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        openapi_tags=TAGS,
        # NL GOV ADR /core/no-trailing-slash: /x/ is simply not found, never redirected.
        redirect_slashes=False,
    )
    api = APIRouter(prefix=API_PREFIX, redirect_slashes=False)
    api.include_router(health_router)
    api.include_router(organisations_router)
    api.include_router(classification_router)
    api.include_router(intakes_router)
    api.include_router(referrals_router)
    api.include_router(routing_router)
    api.include_router(sla_router)
    api.include_router(areas_router)
    api.include_router(stats_router)
    api.include_router(audit_router)
    api.include_router(webhooks_router)
    app.include_router(api)

    install_error_handlers(app)
    app.add_middleware(APIVersionMiddleware, version=API_VERSION)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


app = create_app()
