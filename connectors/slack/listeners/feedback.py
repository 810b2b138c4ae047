"""👍/👎 buttons under an answer: store (user, answer id, vote)."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from slack_bolt import Ack, App
from slack_sdk import WebClient

from connectors.slack.blocks import FEEDBACK_DOWN, FEEDBACK_UP

if TYPE_CHECKING:
    from connectors.slack.app import SlackServices

log = logging.getLogger("parley.slack")
ANSWER_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def handle_vote(services: SlackServices, client: WebClient, body: dict, vote: int) -> None:
    """Record the click and thank the user privately."""
    action = (body.get("actions") or [{}])[0]
    answer_id = str(action.get("value", ""))
    user = (body.get("user") or {}).get("id", "")
    if not ANSWER_ID.match(answer_id) or not user:
        return
    services.feedback.vote(answer_id, user, vote)
    channel = (body.get("channel") or {}).get("id")
    if channel:
        try:
            client.chat_postEphemeral(channel=channel, user=user, text="Thanks — feedback noted.")
        except Exception:
            log.warning("could not thank for feedback", exc_info=True)


def register(app: App, services: SlackServices) -> None:
    """Listen for the two feedback actions."""

    @app.action(FEEDBACK_UP)
    def _up(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        handle_vote(services, client, body, +1)

    @app.action(FEEDBACK_DOWN)
    def _down(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        handle_vote(services, client, body, -1)
