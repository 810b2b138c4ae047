"""``@Parley question`` in a channel: answer in the thread (follow-ups keep context)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App
from slack_sdk import WebClient

from connectors.slack.answering import answer_event

if TYPE_CHECKING:
    from connectors.slack.app import SlackServices


def handle_mention(services: SlackServices, client: WebClient, event: dict, team: str) -> None:
    """Answer one mention, at most once per message (even if delivered twice)."""
    answer_event(services, client, event, team, event.get("channel_type"))


def register(app: App, services: SlackServices) -> None:
    """Listen for ``app_mention`` (Bolt acks events before the listener runs)."""

    @app.event("app_mention")
    def _on_mention(event: dict, body: dict, client: WebClient) -> None:
        handle_mention(services, client, event, body.get("team_id", ""))
