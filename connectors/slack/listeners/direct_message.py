"""Direct messages to Parley: every message in the DM is a question."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App
from slack_sdk import WebClient

from connectors.slack.answering import answer_event

if TYPE_CHECKING:
    from connectors.slack.app import SlackServices


def handle_message(services: SlackServices, client: WebClient, event: dict, team: str) -> None:
    """Answer a DM; ignore channel messages (mentions arrive as ``app_mention``), edits
    and bot messages."""
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
        return
    answer_event(services, client, event, team, "im")


def register(app: App, services: SlackServices) -> None:
    """Listen for ``message`` events (all of them, so none goes unacknowledged)."""

    @app.event("message")
    def _on_message(event: dict, body: dict, client: WebClient) -> None:
        handle_message(services, client, event, body.get("team_id", ""))
