"""``@Parley question`` in a channel: answer in the thread (follow-ups keep context)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from connectors.slack.answering import answer_event


def handle_mention(services: Any, client: WebClient, event: dict, team: str) -> None:
    """Answer one mention, at most once per message (even if delivered twice)."""
    answer_event(services, client, event, team, event.get("channel_type"))


def register(app: App, services: Any) -> None:
    """Listen for ``app_mention`` (Bolt acks events before the listener runs)."""

    @app.event("app_mention")
    def _on_mention(event: dict, body: dict, client: WebClient) -> None:
        handle_mention(services, client, event, body.get("team_id", ""))
