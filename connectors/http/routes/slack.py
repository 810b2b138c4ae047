"""``POST /slack/events``: Slack's Events API, slash commands and interactivity (HTTP mode).

Headers are checked here before Bolt sees the request, so that a missing, non-numeric or
stale timestamp, a malformed signature or a body that is not UTF-8 is a 401 and never
reaches code that would raise. Bolt then verifies the signature itself.
"""

from __future__ import annotations

import logging
import re
import time

from anyio import to_thread
from fastapi import APIRouter, HTTPException, Request, Response
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk.signature import SignatureVerifier

from connectors.slack.payloads import well_formed

router = APIRouter(tags=["slack"])
log = logging.getLogger("parley.slack")
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
MAX_SKEW_S = 300
MAX_BODY = 1 << 20


@router.post("/slack/events", include_in_schema=False)
async def slack_events(request: Request) -> Response:
    """Hand a verified Slack request to the Bolt app (which acks within Slack's 3 s)."""
    bolt: App | None = request.app.state.slack  # set by create_app; None without Slack
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
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(401, "Invalid request signature.") from None
    # Signed by Slack's secret first (401 otherwise), then shaped like Slack's payloads
    # (400 otherwise): no listener ever reads a list where it expects an object.
    settings = request.app.state.settings
    secret = settings.slack_signing_secret
    if secret is None or not SignatureVerifier(secret.get_secret_value()).is_valid(
        body=text, timestamp=ts, signature=sig
    ):
        raise HTTPException(401, "Invalid request signature.")
    if not well_formed(text, request.headers.get("content-type", "")):
        raise HTTPException(400, "Malformed Slack payload.")
    try:
        # Bolt reads ids out of the payload while building the request: inside the guard
        bolt_request = to_bolt_request(request, body)
        bolt_response = await to_thread.run_sync(bolt.dispatch, bolt_request)
    except Exception:
        log.warning("Slack payload could not be dispatched", exc_info=True)
        raise HTTPException(400, "Malformed Slack payload.") from None
    if bolt_response.status == 404:  # well formed, but nothing listens for it: do nothing
        return Response(status_code=200)
    if bolt_response.status >= 500:
        log.warning("Bolt answered %s to a signed payload", bolt_response.status)
        raise HTTPException(400, "Malformed Slack payload.")
    return to_starlette_response(bolt_response)
