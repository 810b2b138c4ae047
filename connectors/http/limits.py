"""Request body caps, checked while the body streams in and before anything parses it.

A pure ASGI middleware: a declared ``Content-Length`` over the route's cap and a streamed
(chunked) body that grows past it both end in 413 the moment the route asks for the body,
so no route ever holds more than its cap in memory. Uploads (``/v1/ingest``) have their own
cap (``PARLEY_MAX_UPLOAD_MB``), Slack's endpoint 1 MB, every other route
``PARLEY_MAX_BODY_KB``.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.settings import Settings

SLACK_BODY = 1 << 20
MULTIPART_OVERHEAD = 64 * 1024


def body_limit_for(settings: Settings) -> Callable[[str], int]:
    """The byte cap of a request path."""
    upload = int(settings.max_upload_mb * 1024 * 1024) + MULTIPART_OVERHEAD
    general = int(settings.max_body_kb * 1024)

    def limit(path: str) -> int:
        if path.rstrip("/") == "/v1/ingest":
            return upload
        if path.startswith("/slack/"):
            return SLACK_BODY
        return general

    return limit


class BodyLimitMiddleware:
    """Refuse bodies over the path's cap with 413 (declared or counted while streaming)."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        too_big = declared.isdigit() and int(declared) > limit
        received = 0

        async def capped() -> Message:
            nonlocal received
            if too_big:
                raise _too_large(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _too_large(limit)
            return message

        await self.app(scope, capped, send)


def _too_large(limit: int) -> HTTPException:
    size = f"{limit / 1048576:g} MB" if limit >= 1048576 else f"{limit // 1024} KB"
    return HTTPException(413, f"Request body too large; the limit for this endpoint is {size}.")
