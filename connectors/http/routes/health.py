"""``/healthz`` (process up) and ``/readyz`` (stores reachable, model configured)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

if TYPE_CHECKING:
    from assistant.service import Assistant

router = APIRouter(tags=["health"])
log = logging.getLogger("parley.http")


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    """Always 200 while the process serves requests."""
    return {"status": "ok"}


def _checks(app_state: Any) -> dict[str, str]:
    checks: dict[str, str] = {}
    assistant: Assistant | None = app_state.assistant  # None until the lifespan has built it
    checks["assistant"] = "ok" if assistant is not None else "starting"
    checks["model"] = "ok" if app_state.settings.chat_model else "not configured"
    if assistant is None:
        return checks
    try:
        conn = assistant.deps.connect()
        conn.close()
        checks["warehouse"] = "ok"
    except Exception:
        log.warning("readiness: warehouse unreachable", exc_info=True)
        checks["warehouse"] = "unreachable"
    try:
        _ = assistant.deps.retriever  # opened once at start-up (assistant.warmup), cached after
        checks["stores"] = "ok"
    except Exception:
        log.warning("readiness: vector store unreachable", exc_info=True)
        checks["stores"] = "unreachable"
    return checks


@router.get(
    "/readyz",
    summary="Stores reachable and model configured",
    responses={503: {"description": "Not ready"}},
)
async def readyz(request: Request) -> JSONResponse:
    """200 with each check when ready; 503 naming what is not."""
    checks = await to_thread.run_sync(_checks, request.app.state)
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ok else "not ready", "checks": checks}, status_code=200 if ok else 503
    )
