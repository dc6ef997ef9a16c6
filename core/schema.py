"""What the OpenAPI schema says that no view declares: the responses every operation may give
from the edge (content negotiation, throttles, conditional requests, a database outage), and
the query parameters each endpoint reads, which the API holds requests to (core.api) and the
response cache keys on (core.caching)."""

import functools
import logging

logger = logging.getLogger(__name__)

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "What went wrong."}},
    "required": ["detail"],
}
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer", "minimum": 1},
        "description": "Seconds to wait before asking again.",
    }
}


RATE_LIMIT = {
    "RateLimit-Limit": {
        "schema": {"type": "integer", "minimum": 1},
        "description": "Requests this client may make in the window (RateLimit-Policy).",
    },
    "RateLimit-Remaining": {
        "schema": {"type": "integer", "minimum": 0},
        "description": "Requests left in the window. Absent when the count cannot be read.",
    },
    "RateLimit-Reset": {
        "schema": {"type": "integer", "minimum": 0},
        "description": "Seconds until the oldest counted request leaves the window, freeing one. "
        "Absent when the count cannot be read.",
    },
    "RateLimit-Policy": {
        "schema": {"type": "string"},
        "description": "The quota and its window in seconds: `120;w=60`.",
    },
}
UNKNOWN_PARAMETER = (
    "A parameter is invalid, or not one this endpoint reads (a mistyped filter is refused, "
    "not ignored): messages per parameter, naming the allowed values or parameters."
)


@functools.cache
def query_parameters():
    """The query parameters each API endpoint reads, as its OpenAPI schema documents them:
    {view callback: names}. Built once per process, from the schema (about a second)."""
    from drf_spectacular.generators import SchemaGenerator

    try:
        generator = SchemaGenerator()
        paths = generator.get_schema(request=None, public=True)["paths"]
    except Exception:  # an endpoint the schema cannot describe: its parameters go unchecked
        logger.exception("API parameters unknown: they are neither checked nor cached")
        return {}
    parameters = {}
    for path, _, method, callback in generator.endpoints:
        operation = (paths.get(path) or paths.get(path.replace("{pk}", "{id}")) or {}).get("get")
        if method == "GET" and operation is not None:
            parameters[callback] = frozenset(
                {"format"}
                | {p["name"] for p in operation.get("parameters", ()) if p["in"] == "query"}
            )
    return parameters


def _error(description):
    return {
        "description": description,
        "headers": RETRY_AFTER,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def document_edge_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: 406, 429 and 503 on every operation, 304 on reads,
    400 on reads with query parameters (a parameter it does not read included), rate-limit
    headers on every response, and free-text query parameters that must not be empty (the
    API answers 400)."""
    result.setdefault("components", {}).setdefault("schemas", {}).setdefault("Error", ERROR)
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            for parameter in operation.get("parameters", ()):
                schema = parameter.get("schema", {})
                free_text = schema.get("type") == "string" and not (
                    {"enum", "format", "pattern"} & set(schema)
                )
                if parameter["in"] == "query" and free_text:
                    schema["pattern"] = r"\S"  # something other than spaces
            responses = operation.setdefault("responses", {})
            if method == "get":
                responses["400"] = {**responses.get("400", {}), "description": UNKNOWN_PARAMETER}
                responses.setdefault(
                    "304",
                    {"description": "Not modified: the ETag sent in If-None-Match still holds."},
                )
            responses.setdefault(
                "406",
                {
                    "description": "Not acceptable: Accept names no format this API gives.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
            )
            responses.setdefault(
                "429", _error("Too many requests from this client or token; see Retry-After.")
            )
            responses.setdefault(
                "503", _error("The service is unavailable for a moment; see Retry-After.")
            )
            for response in responses.values():
                response.setdefault("headers", {}).update(RATE_LIMIT)
    return result
