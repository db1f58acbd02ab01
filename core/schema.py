"""OpenAPI post-processing: document the error answers every operation can give (API.md "Errors")."""

ERROR_SCHEMA = {
    "type": "object",
    "description": "Errors: {\"field\": [\"message\", ...]} for 400, {\"detail\": \"message\"} otherwise.",
    "additionalProperties": True,
}
STANDARD_ERRORS = {
    "400": "Invalid input; nothing was changed.",
    "401": "Not authenticated.",
    "403": "The role may not do this.",
    "404": "Not found, or outside the caller's scope.",
}


def add_error_responses(result, generator, request, public):
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, description in STANDARD_ERRORS.items():
                operation["responses"].setdefault(code, {
                    "description": description,
                    "content": {"application/json": {"schema": ERROR_SCHEMA}},
                })
    return result
