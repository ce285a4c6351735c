"""The ASGI application."""

import base64
import hashlib
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from app import models
from app.areas.router import router as areas_router
from app.audit.router import router as audit_router
from app.auth.router import router as api_keys_router
from app.classification import service as classification
from app.classification.router import router as classification_router
from app.core import crypto
from app.core.config import API_PREFIX, API_VERSION, get_settings
from app.core.errors import install_error_handlers
from app.core.middleware import (
    APIVersionMiddleware,
    BodySizeLimitMiddleware,
    JSONBodyMiddleware,
    OpenAPICorsMiddleware,
    SecurityHeadersMiddleware,
    TransactionRetryMiddleware,
)
from app.core.openapi import build_openapi
from app.core.ratelimit import RateLimitMiddleware
from app.flows.router import router as intakes_router
from app.health.router import router as health_router
from app.organisations.router import router as organisations_router
from app.referrals.router import router as referrals_router
from app.retention.router import router as retention_router
from app.review.router import router as review_router
from app.routing.router import router as routing_router
from app.sla.router import router as sla_router
from app.stats.router import router as stats_router
from app.web.pages import STATIC_DIR, WEB_CSP, install_error_pages
from app.web.router import router as web_router
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
    {
        "name": "review",
        "description": "The front office's review queue, and how often people agree with the "
        "classifier.",
    },
]


OPENAPI_URL = f"{API_PREFIX}/openapi.json"
DOCS_URL = f"{API_PREFIX}/docs"


def _docs_page() -> tuple[bytes, str]:
    """The Swagger UI page and the Content-Security-Policy that lets exactly it run.

    Swagger UI's script and stylesheet come from the jsDelivr CDN (FastAPI's default), so the
    policy allows that host; the one inline script is allowed by its hash, not wholesale.
    """
    html = get_swagger_ui_html(
        openapi_url=OPENAPI_URL,
        title="Wijkwinkel API - Swagger UI",
        # No badge that sends our document to validator.swagger.io.
        swagger_ui_parameters={"validatorUrl": None},
    ).body
    inline = re.findall(rb"<script>(.*?)</script>", html, flags=re.DOTALL)
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s).digest()).decode() + "'" for s in inline
    )
    csp = (
        "default-src 'none'; "
        f"script-src https://cdn.jsdelivr.net {hashes}; "
        # Swagger UI sets style attributes from its script.
        "style-src https://cdn.jsdelivr.net 'unsafe-inline'; "
        "img-src 'self' data: https://fastapi.tiangolo.com; "
        "connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )
    return bytes(html), csp


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    crypto.check_keys()
    # Build the classifier before the first request, not during it.
    classification.warm_up()
    yield


def create_app() -> FastAPI:
    settings = get_settings()
    models.install()
    logging.basicConfig(level=settings.log_level.upper())
    app = FastAPI(
        lifespan=lifespan,
        title="Wijkwinkel API",
        version=API_VERSION,
        description=DESCRIPTION,
        openapi_url=OPENAPI_URL,
        # Served below with its own Content-Security-Policy.
        docs_url=None,
        redoc_url=None,
        openapi_tags=TAGS,
        # NL GOV ADR /core/no-trailing-slash: /x/ is simply not found, never redirected.
        redirect_slashes=False,
    )
    api = APIRouter(prefix=API_PREFIX, redirect_slashes=False)
    api.include_router(health_router)
    api.include_router(organisations_router)
    api.include_router(api_keys_router)
    api.include_router(classification_router)
    api.include_router(intakes_router)
    api.include_router(retention_router)
    api.include_router(referrals_router)
    api.include_router(routing_router)
    api.include_router(sla_router)
    api.include_router(areas_router)
    api.include_router(stats_router)
    api.include_router(audit_router)
    api.include_router(webhooks_router)
    api.include_router(review_router)
    app.include_router(api)
    # The staff pages: same app, outside /api/v1 and outside the OpenAPI document.
    app.include_router(web_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    docs_html, docs_csp = _docs_page()

    async def swagger_ui() -> HTMLResponse:
        return HTMLResponse(docs_html)

    app.add_api_route(DOCS_URL, swagger_ui, include_in_schema=False)

    install_error_handlers(app)
    install_error_pages(app)
    # Added innermost first: a request meets the security headers, CORS, the version header,
    # the rate limit and the body limit, in that order, before any route (or the database).
    # Innermost: a transaction that must run again does so without passing the limits twice.
    app.add_middleware(TransactionRetryMiddleware, attempts=settings.db_retry_attempts)
    app.add_middleware(JSONBodyMiddleware, api_prefix=API_PREFIX + "/")
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(
        RateLimitMiddleware,
        per_minute=settings.rate_limit_per_minute,
        burst=settings.rate_limit_burst,
        auth_failures_per_minute=settings.auth_failures_per_minute,
    )
    app.add_middleware(APIVersionMiddleware, version=API_VERSION)
    app.add_middleware(OpenAPICorsMiddleware, openapi_path=OPENAPI_URL)
    app.add_middleware(
        SecurityHeadersMiddleware,
        hsts_max_age_seconds=settings.hsts_max_age_seconds,
        page_policies={DOCS_URL: docs_csp},
        api_prefix=API_PREFIX + "/",
        pages_policy=WEB_CSP,
    )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


app = create_app()
