"""Google-style API errors: ``{"error": {"code", "message", "status"}}`` with the HTTP status."""

from __future__ import annotations

import json
from typing import Any

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}

NOT_FOUND_MESSAGE = "Requested entity was not found."
PERMISSION_MESSAGE = "The caller does not have permission"
UNAUTHENTICATED_MESSAGE = (
    "Request is missing required authentication credential. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential. "
    "See https://developers.google.com/identity/sign-in/web/devconsole-project."
)


class ApiError(Exception):
    """An error answered to the client as a Google JSON error body."""

    def __init__(
        self,
        code: int,
        message: str,
        status: str | None = None,
        details: list[dict[str, Any]] | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or STATUS_NAMES.get(code, "UNKNOWN")
        self.details = details
        self._body = body

    def body(self) -> dict[str, Any]:
        """Return the JSON error body."""
        if self._body is not None:
            return self._body
        error: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.details:
            error["details"] = self.details
        return {"error": error}


def invalid(message: str) -> ApiError:
    """A 400 INVALID_ARGUMENT error."""
    return ApiError(400, message)


def not_found() -> ApiError:
    """Google's 404 for an unknown spreadsheet."""
    return ApiError(404, NOT_FOUND_MESSAGE)


def permission_denied() -> ApiError:
    """Google's 403 for a spreadsheet the caller may not open or write."""
    return ApiError(403, PERMISSION_MESSAGE)


def bad_field(field: str, type_name: str, value: Any) -> ApiError:
    """The JSON-to-proto error Google gives for a value of the wrong type."""
    shown = json.dumps(value, ensure_ascii=False) if not isinstance(value, dict) else "{...}"
    message = f"Invalid value at '{field}' ({type_name}), {shown}"
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": field, "description": message}],
        }
    ]
    return ApiError(400, message, details=details)


def unknown_field(name: str, where: str) -> ApiError:
    """The error Google gives for an unknown JSON key (e.g. an unknown batchUpdate request)."""
    message = (
        f"Invalid JSON payload received. Unknown name \"{name}\" at '{where}': Cannot find field."
    )
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": where, "description": message}],
        }
    ]
    return ApiError(400, message, details=details)


def quota_error(is_write: bool) -> ApiError:
    """Google's 429 for the per-minute-per-user quota."""
    metric = "Write requests" if is_write else "Read requests"
    message = (
        f"Quota exceeded for quota metric '{metric}' and limit '{metric} per minute per user' "
        "of service 'sheets.googleapis.com' for consumer 'project_number:000000000000'."
    )
    details: list[dict[str, Any]] = [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "RATE_LIMIT_EXCEEDED",
            "domain": "googleapis.com",
            "metadata": {
                "quota_metric": f"sheets.googleapis.com/{metric.split()[0].lower()}_requests",
                "quota_limit": f"{metric.split()[0]}RequestsPerMinutePerUser",
                "service": "sheets.googleapis.com",
                "consumer": "projects/000000000000",
            },
        },
        {
            "@type": "type.googleapis.com/google.rpc.Help",
            "links": [
                {
                    "description": "Request a higher quota limit.",
                    "url": "https://cloud.google.com/docs/quota#requesting_higher_quota",
                }
            ],
        },
    ]
    return ApiError(429, message, details=details)


def server_error(code: int) -> ApiError:
    """Google's 500 / 503 bodies (any other code gets a generic message)."""
    if code == 500:
        return ApiError(500, "Internal error encountered.")
    if code == 503:
        return ApiError(503, "The service is currently unavailable.")
    if code == 429:
        return quota_error(False)
    return ApiError(code, f"Injected error {code}.")


def drive_not_found(file_id: str) -> ApiError:
    """Drive v3's 404 body (a different shape from Sheets')."""
    message = f"File not found: {file_id}."
    body = {
        "error": {
            "code": 404,
            "message": message,
            "errors": [
                {
                    "message": message,
                    "domain": "global",
                    "reason": "notFound",
                    "location": "fileId",
                    "locationType": "parameter",
                }
            ],
        }
    }
    return ApiError(404, message, body=body)
