"""The monitor digest's buttons: "Acknowledge" (``finding_ack``) and "Start dispute"
(``finding_dispute``), each carrying a finding id. A click updates the discrepancy log as
the clicking user, then redraws that finding in the digest message (or, when the message
is not at hand, confirms privately). Someone whose visibility excludes the finding's payer
is refused privately and the log is left alone."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from assistant.errors import NotFoundError, ParleyError
from assistant.monitor.digest import ACTION_ACK, ACTION_DISPUTE, finding_blocks
from assistant.monitor.findings import Finding

if TYPE_CHECKING:
    from connectors.slack.app import SlackServices

log = logging.getLogger("parley.slack")
STATUS_WORDS = {"acknowledged": "Acknowledged", "disputed": "Dispute started"}


def updated_digest(blocks: list[dict[str, Any]], finding: Finding, user: str) -> list[dict]:
    """The digest's blocks with ``finding`` redrawn (new status in its text) and a context
    line saying who changed it. Pure: blocks in, blocks out."""
    fresh = {b["block_id"]: b for b in finding_blocks(finding)}
    note_id = f"status_{finding.finding_id}"
    note = {
        "type": "context",
        "block_id": note_id,
        "elements": [
            {
                "type": "mrkdwn",
                "text": f"{STATUS_WORDS.get(finding.status, finding.status)} by <@{user}>",
            }
        ],
    }
    out: list[dict[str, Any]] = []
    for block in blocks:
        bid = block.get("block_id")
        if bid == note_id:
            continue
        out.append(fresh.get(bid, block) if bid else block)
        if bid == f"actions_{finding.finding_id}":
            out.append(note)
    return out


def _private(client: WebClient, channel: str | None, user: str, text: str) -> None:
    if not channel:
        return
    try:
        client.chat_postEphemeral(channel=channel, user=user, text=text)
    except Exception:
        log.warning("could not post an ephemeral reply", exc_info=True)


def handle_click(services: SlackServices, client: WebClient, body: dict, action_id: str) -> None:
    """Apply one button click to the log and show the new status."""
    from assistant.monitor.digest import handle_finding_action
    from assistant.monitor.log import get_finding
    from connectors.http.routes.findings import serialised_write
    from connectors.slack.answering import friendly_error

    action = (body.get("actions") or [{}])[0]
    finding_id = str(action.get("value", ""))[:100]
    user = (body.get("user") or {}).get("id", "")
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    if not finding_id or not user:
        return
    settings = services.settings
    try:
        finding = get_finding(settings, finding_id)
        scope = services.visibility.user(user)
        if not scope.allows(finding.payer_id):  # reads like an unknown id (ids are guessable)
            _private(client, channel, user, "That finding is no longer in the log.")
            return
        updated = serialised_write(
            settings, handle_finding_action, settings, action_id, finding_id, user
        )
    except NotFoundError:
        _private(client, channel, user, "That finding is no longer in the log.")
        return
    except Exception as exc:
        text, ref = friendly_error(exc)
        suffix = "" if isinstance(exc, ParleyError) else f" (reference {ref})"
        _private(client, channel, user, text + suffix)
        return
    message = body.get("message") or {}
    ts = message.get("ts") or (body.get("container") or {}).get("message_ts")
    if channel and ts and message.get("blocks"):
        try:
            client.chat_update(
                channel=channel,
                ts=ts,
                text=message.get("text") or "Payer monitor",
                blocks=updated_digest(message["blocks"], updated, user),
            )
            return
        except Exception:
            log.warning("could not update the digest message", exc_info=True)
    _private(
        client,
        channel,
        user,
        f"{STATUS_WORDS.get(updated.status, updated.status)}: `{finding_id}`.",
    )


def register(app: App, services: SlackServices) -> None:
    """Listen for the digest's two buttons."""

    @app.action(ACTION_ACK)
    def _ack(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        handle_click(services, client, body, ACTION_ACK)

    @app.action(ACTION_DISPUTE)
    def _dispute(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        handle_click(services, client, body, ACTION_DISPUTE)
