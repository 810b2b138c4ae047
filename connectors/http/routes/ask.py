"""``POST /v1/ask``: one question → an answer with citations (JSON or Server-Sent Events)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from assistant.answer import Answer
from assistant.errors import ParleyError
from assistant.scope import Scope
from assistant.service import Assistant
from connectors.http.auth import Principal, Reader
from connectors.http.errors import request_id
from connectors.http.routes import AsOfDate, AssistantDep

router = APIRouter(prefix="/v1", tags=["ask"])
log = logging.getLogger("parley.http.ask")

SSE_DOC = (
    "With `stream=true` (body or query) the response is `text/event-stream`: zero or more "
    "`progress` events (a label per tool call), then `text`, `citations` and `done` (the "
    "whole answer object); or one `error` event `{detail, request_id}`. Every `data:` line "
    "is JSON."
)


class AskRequest(BaseModel):
    """A question, optionally continuing a conversation and limited to one payer."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        min_length=1, max_length=2000, examples=["What's Keystone's timely filing limit?"]
    )
    conversation_id: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9._:-]{1,100}$",
        description="Reuse to ask follow-ups; scoped to the calling user.",
    )
    payer: str | None = Field(
        None, min_length=1, max_length=200, description="Payer id, name or alias to restrict to."
    )
    as_of: AsOfDate | None = Field(None, description="Pretend today is this date.")
    stream: bool = False


def check_payer_scope(assistant: Assistant, payer: str | None, scope: Scope) -> None:
    """Fail early when ``payer`` is unknown (422) or outside the caller's scope (403). A
    scoped caller gets the same 403 for a name no payer has, so its answers never reveal
    which other payers exist (``Scope.resolve_payer``)."""
    scope.resolve_optional(assistant.vocabulary(), payer)


def _ask_kwargs(body: AskRequest, principal: Principal) -> dict[str, Any]:
    thread = f"http:{principal.user}:{body.conversation_id}" if body.conversation_id else None
    return {
        "conversation_id": thread,
        "scope": principal.scope,
        "payer": body.payer,
        "as_of": body.as_of,
    }


def _sse(event: str, data: Any) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, default=str)}\n\n".encode()


async def _stream(
    assistant: Any, body: AskRequest, kw: dict[str, Any], rid: str
) -> AsyncIterator[bytes]:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    def put(kind: str, data: Any) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, (kind, data))

    def work() -> None:
        try:
            put(
                "answer",
                assistant.ask(body.question, on_progress=lambda s: put("progress", s), **kw),
            )
        except ParleyError as exc:
            put("error", {"detail": exc.user_message, "status": exc.http_status, "request_id": rid})
        except Exception:
            log.error("stream failed request_id=%s", rid, exc_info=True)
            put(
                "error",
                {
                    "detail": f"Internal error. Quote reference {rid} when reporting it.",
                    "status": 500,
                    "request_id": rid,
                },
            )

    worker = loop.create_task(to_thread.run_sync(work))
    try:
        while True:
            kind, data = await queue.get()
            if kind == "progress":
                yield _sse("progress", data)
                continue
            if kind == "answer":
                answer = _client_view(data, body.conversation_id)
                yield _sse("text", answer.text)
                yield _sse("citations", [c.model_dump() for c in answer.citations])
                yield _sse("done", answer.model_dump())
            else:
                yield _sse("error", data)
            break
    finally:
        if worker.done():
            worker.result()


def _client_view(answer: Answer, conversation_id: str | None) -> Answer:
    from connectors.redact import public_answer

    return public_answer(answer).model_copy(update={"conversation_id": conversation_id})


@router.post(
    "/ask",
    response_model=Answer,
    summary="Ask a question",
    description=SSE_DOC,
    responses={
        200: {"content": {"text/event-stream": {}}},
        401: {"description": "No or invalid API key"},
        403: {"description": "Payer outside your scope"},
    },
)
async def ask(
    body: AskRequest,
    request: Request,
    principal: Reader,
    assistant: AssistantDep,
    stream: Annotated[bool, Query(description="Stream as Server-Sent Events.")] = False,
) -> Any:
    """Answer one question with cited clauses and traced figures."""
    await to_thread.run_sync(check_payer_scope, assistant, body.payer, principal.scope)
    kw = _ask_kwargs(body, principal)
    if stream or body.stream:
        rid = request_id(request)
        return StreamingResponse(
            _stream(assistant, body, kw, rid),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    answer = await to_thread.run_sync(lambda: assistant.ask(body.question, **kw))
    return _client_view(answer, body.conversation_id)
