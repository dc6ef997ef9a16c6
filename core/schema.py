"""The responses every API operation may give that no view declares: they come from the
edge (content negotiation, throttles, conditional requests, a database outage), so one
hook documents them."""

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


def _error(description):
    return {
        "description": description,
        "headers": RETRY_AFTER,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def document_edge_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: 406, 429 and 503 on every operation, 304 on reads,
    and free-text query parameters that must not be empty (the API answers 400)."""
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
    return result
