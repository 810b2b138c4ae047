"""Request ids and the translation of errors into HTTP responses.

Every response carries ``X-Request-ID``; every error body is ``{"detail": ...,
"request_id": ...}``. A ``ParleyError`` becomes its ``http_status`` and ``user_message``;
anything unexpected becomes a generic 500 whose details go to the log only.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.errors import ParleyError

log = logging.getLogger("parley.http")
REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` so log formats can show it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class RequestIdMiddleware:
    """Pure ASGI middleware: accept a sane incoming id or mint one; echo it back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = rid
        token = request_id_var.set(rid)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"
                ]
                headers.append((b"x-request-id", rid.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send_with_id(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception as exc:
            # Handled here, not by Starlette's ServerErrorMiddleware, which re-raises and
            # makes uvicorn drop the keep-alive connection.
            log.error(
                "unexpected error request_id=%s %s %s",
                rid,
                scope.get("method"),
                scope.get("path"),
                exc_info=exc,
            )
            if started:
                return
            body = json.dumps(
                {
                    "detail": f"Internal error. Quote reference {rid} when reporting it.",
                    "request_id": rid,
                }
            ).encode()
            await send_with_id(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send_with_id({"type": "http.response.body", "body": body})
        finally:
            request_id_var.reset(token)


def request_id(request: Request) -> str:
    """The id of this request (set by the middleware)."""
    return getattr(request.state, "request_id", None) or uuid.uuid4().hex[:16]


def error_response(
    request: Request, status: int, detail: Any, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The one error body shape."""
    rid = request_id(request)
    return JSONResponse(
        {"detail": detail, "request_id": rid},
        status_code=status,
        headers={**(headers or {}), REQUEST_ID_HEADER: rid},
    )


async def _parley_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ParleyError)
    log.info("request %s failed: %s (%s)", request_id(request), type(exc).__name__, exc.http_status)
    return error_response(request, exc.http_status, exc.user_message)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return error_response(request, exc.status_code, exc.detail,
                          dict(exc.headers) if exc.headers is not None else None)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [
        {
            "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body",
            "message": e.get("msg", "invalid"),
            "type": e.get("type", ""),
        }
        for e in exc.errors()
    ]
    return error_response(request, 422, fields)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers and the request-id middleware on ``app``."""
    app.add_exception_handler(ParleyError, _parley_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_middleware(RequestIdMiddleware)


def configure_logging(level: int = logging.INFO) -> None:
    """Log format with the request id (used by ``parley serve``)."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
