"""The OpenAPI document, shaped to the NL GOV API Design Rules.

FastAPI generates the paths; here we add what the rules ask of every operation: the API-Version
header on 2xx/3xx responses, problem+json for every error response, a server URL with the major
version, and contact details. Done once for all routes, so no route can forget it.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.core.config import API_PREFIX, API_VERSION

CONTACT = {
    "name": "Wijkwinkel ontwikkelteam",
    "email": "ontwikkelaars@wijkwinkel.example",
    "url": "https://wijkwinkel.example/ontwikkelaars",
}

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details. Validation errors (422) add an `errors` list.",
    "type": "object",
    "properties": {
        "type": {"type": "string", "description": "URI reference naming the problem type."},
        "title": {"type": "string", "description": "Short summary of the problem type."},
        "status": {"type": "integer", "description": "The HTTP status code."},
        "detail": {"type": "string", "description": "What went wrong, in plain words."},
        "instance": {"type": "string", "description": "The path the problem occurred on."},
    },
    "required": ["status", "title", "detail"],
}

API_VERSION_HEADER: dict[str, Any] = {
    "description": "The full version of the API (semantic versioning).",
    "schema": {"type": "string", "example": API_VERSION},
}

_ERROR_TEXT = {
    "400": "Bad request",
    "401": "No valid API key (missing, unknown, revoked or expired)",
    "403": "The key lacks the scope needed",
    "404": "Not found, or not visible to your organisation",
    "405": "Method not allowed",
    "409": "Conflicts with the resource's current state",
    "412": "The If-Match ETag does not match",
    "413": "Request body larger than this installation accepts",
    "415": "The body is not sent as application/json",
    "422": "The request is not valid",
    "429": "Too many requests with this key (or failed attempts from this address): retry "
    "after the Retry-After seconds",
    "500": "Internal error",
    "503": "Busy, the database unreachable, or not ready: nothing was stored; retry after the "
    "Retry-After seconds",
}


LOCATION_HEADER = {
    "Location": {"description": "Path of the created resource.", "schema": {"type": "string"}}
}
ETAG_HEADER = {
    "ETag": {
        "description": "Version tag of the resource; send it back in If-Match.",
        "schema": {"type": "string", "example": '"3"'},
    }
}


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Error responses a route adds to the generic ones (shaped to problem+json below)."""
    return {code: {"description": _ERROR_TEXT.get(str(code), "Error")} for code in codes}


def created(headers: dict[str, Any] | None = None) -> dict[int | str, dict[str, Any]]:
    return {201: {"headers": headers or LOCATION_HEADER}}


def _problem_response(code: str, description: str | None = None) -> dict[str, Any]:
    return {
        "description": description or _ERROR_TEXT.get(code, "Error"),
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }


def build_openapi(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title,
        version=API_VERSION,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
        servers=[{"url": API_PREFIX, "description": "This installation"}],
    )
    # Set here rather than through get_openapi, which would need email-validator for one field.
    schema["info"]["contact"] = CONTACT
    schema["info"]["license"] = {"name": "EUPL-1.2", "url": "https://eupl.eu/1.2/nl/"}
    paths: dict[str, Any] = {}
    for path, item in schema.get("paths", {}).items():
        # Paths are relative to the server URL, which carries /api/v1.
        short = path.removeprefix(API_PREFIX) or "/"
        for operation in item.values():
            _shape_operation(operation)
        paths[short] = item
    schema["paths"] = paths

    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Problem"] = PROBLEM_SCHEMA
    components.setdefault("headers", {})["API-Version"] = API_VERSION_HEADER
    return schema


RETRY_AFTER_HEADER = {
    "description": "Seconds to wait before trying again.",
    "schema": {"type": "integer", "example": 1},
}


def _shape_operation(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    secured = bool(operation.get("security"))
    # Secured operations use the database: 401/403, and 503 when it is busy; their keys are
    # rate limited (429).
    extra_errors = ["401", "403", "429", "503"] if secured else []
    if "requestBody" in operation:
        extra_errors += ["413", "415"]
    for code in [*extra_errors, "500"]:
        responses.setdefault(code, _problem_response(code))
    if any(p.get("in") == "path" for p in operation.get("parameters", [])):
        responses.setdefault("404", _problem_response("404"))
    for code, response in list(responses.items()):
        if code.startswith(("4", "5")):
            description = response.get("description")
            responses[code] = _problem_response(code, description)
            if code in {"429", "503"}:
                responses[code]["headers"] = {"Retry-After": RETRY_AFTER_HEADER}
        elif code.startswith(("2", "3")):
            headers = response.setdefault("headers", {})
            headers["API-Version"] = {"$ref": "#/components/headers/API-Version"}
