"""``POST /slack/events``: Slack's Events API, slash commands and interactivity (HTTP mode).

Headers are checked here before Bolt sees the request, so that a missing, non-numeric or
stale timestamp, a malformed signature or a body that is not UTF-8 is a 401 and never
reaches code that would raise. Bolt then verifies the signature itself.
"""

from __future__ import annotations

import re
import time

from anyio import to_thread
from fastapi import APIRouter, HTTPException, Request, Response
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response

router = APIRouter(tags=["slack"])
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
MAX_SKEW_S = 300
MAX_BODY = 1 << 20


@router.post("/slack/events", include_in_schema=False)
async def slack_events(request: Request) -> Response:
    """Hand a verified Slack request to the Bolt app (which acks within Slack's 3 s)."""
    bolt = getattr(request.app.state, "slack", None)
    if bolt is None:
        raise HTTPException(404, "Slack is not configured on this server.")
    ts = request.headers.get("x-slack-request-timestamp", "")
    sig = request.headers.get("x-slack-signature", "")
    if (
        not (ts.isascii() and ts.isdigit() and len(ts) <= 12)
        or abs(time.time() - int(ts)) > MAX_SKEW_S
    ):
        raise HTTPException(401, "Invalid or stale request timestamp.")
    if not SIGNATURE.fullmatch(sig):
        raise HTTPException(401, "Invalid request signature.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise HTTPException(413, "Request too large.")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise HTTPException(413, "Request too large.")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(401, "Invalid request signature.") from None
    bolt_request = to_bolt_request(request, body)
    bolt_response = await to_thread.run_sync(bolt.dispatch, bolt_request)
    return to_starlette_response(bolt_response)
