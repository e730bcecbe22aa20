"""What the API promises about its errors, kept true (found by fuzzing it with schemathesis).

- A 422 carries either FastAPI's list of field errors (a request that does not fit the declared
  parameters) or one clear line (a domain `ValidationError`: an unknown category, a bad month…).
  The OpenAPI description says so, so clients and schema checkers expect both.
- A NUL character in a request value can never be stored or matched (PostgreSQL text refuses
  it): such a request is answered 422 with one line, not a 500 from the database driver.
- A JSON endpoint reads only `application/json` bodies (415 otherwise).
"""

import email.message
import logging
from typing import Any

from fastapi import FastAPI, HTTPException, Request, params
from fastapi.responses import JSONResponse, PlainTextResponse, Response

log = logging.getLogger(__name__)

_ONE_LINE = {"type": "string", "title": "Detail", "description": "one clear line (中文 + English)"}


def _describe_422(schema: dict[str, Any]) -> dict[str, Any]:
    error = schema.get("components", {}).get("schemas", {}).get("HTTPValidationError")
    if error is not None and "anyOf" not in error["properties"]["detail"]:
        listed = error["properties"]["detail"]
        error["properties"]["detail"] = {"anyOf": [listed, _ONE_LINE], "title": "Detail"}
    return schema


async def _value_error(request: Request, exc: Exception) -> Response:
    if "NUL (0x00)" in str(exc):
        return JSONResponse(
            {"detail": "请求中含有空字符 (NUL)，无法处理 the request contains a NUL character"},
            status_code=422,
        )
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return PlainTextResponse("Internal Server Error", status_code=500)


def _is_json(content_type: str) -> bool:
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def json_bodies_only(request: Request) -> None:
    """415 for a body sent to a JSON endpoint as anything but `application/json` (a form or
    `text/plain` is what a cross-site page can send without asking; it is never parsed)."""
    route = request.scope.get("route")
    body = getattr(getattr(route, "dependant", None), "body_params", None)
    if not body or any(isinstance(p.field_info, params.Form) for p in body):
        return  # no body, or a form (params.File is a Form too)
    sent = request.headers.get("content-length", "0") != "0" or "transfer-encoding" in (
        request.headers
    )
    if sent and not _is_json(request.headers.get("content-type", "")):
        raise HTTPException(
            415, "请求体应为 JSON (Content-Type: application/json) the body must be JSON"
        )


def install(app: FastAPI) -> None:
    """Describe the 422 bodies truthfully and refuse NUL characters with a 422."""
    build = app.openapi  # FastAPI's own (cached) builder
    app.openapi = lambda: _describe_422(build())  # type: ignore[method-assign]
    app.add_exception_handler(ValueError, _value_error)
