"""The error answers every operation can give, added to the OpenAPI schema."""

from __future__ import annotations

ERROR = {
    "type": "object",
    "description": "What went wrong: a detail message, or errors by field.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
MESSAGES = {
    "400": "Bad input: errors by field, or a detail message. Nothing was written.",
    "401": "No credentials, or they are not valid.",
    "403": "Your role does not allow this.",
    "404": "No such object (or page), or not one you may see.",
    "429": "Too many requests with this token; try again later.",
}
# Only operations that take a body can be sent one they cannot read.
BODY_MESSAGES = {"415": "The request body is not in a media type this operation reads."}
# Only operations that change something can clash with what is stored.
WRITE_MESSAGES = {"409": "The request clashes with what is stored (a name taken, a state "
                  "that forbids it). Nothing was written."}  # fmt: skip
# Operations that ask Label Studio while you wait.
LABEL_STUDIO_PATHS = ("/labelstudio/", "/send-back/")
LABEL_STUDIO_MESSAGES = {
    "502": "Label Studio answered, but refused or gave an answer that cannot be used.",
    "503": "Label Studio cannot be reached; try again later. Nothing was written.",
}


def add_error_responses(result: dict, generator, request, public) -> dict:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    reference = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            public_schema = path.endswith(("/schema/", "/docs/"))
            messages = MESSAGES | (BODY_MESSAGES if "requestBody" in operation else {})
            if method.lower() in ("post", "put", "patch", "delete"):
                messages = messages | WRITE_MESSAGES
            if path.endswith(LABEL_STUDIO_PATHS):
                messages = messages | LABEL_STUDIO_MESSAGES
            for code, message in messages.items():
                if public_schema and code != "429":
                    continue
                responses.setdefault(
                    code,
                    {
                        "description": message,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result
