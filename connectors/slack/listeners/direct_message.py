"""Direct messages to Parley: every message in the DM is a question."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from connectors.slack.answering import Question, answer, clean


def handle_message(services: Any, client: WebClient, event: dict, team: str) -> None:
    """Answer a DM; ignore channel messages (mentions arrive as ``app_mention``), edits
    and bot messages."""
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
        return
    channel, ts = event.get("channel", ""), event.get("ts", "")
    if not services.dedupe.first_time(f"msg:{channel}:{ts}"):
        return
    answer(
        services,
        client,
        Question(
            text=clean(event.get("text", "")),
            team=team,
            channel=channel,
            user=event.get("user", ""),
            thread_ts=event.get("thread_ts") or ts,
            channel_type="im",
        ),
    )


def register(app: App, services: Any) -> None:
    """Listen for ``message`` events (all of them, so none goes unacknowledged)."""

    @app.event("message")
    def _on_message(event: dict, body: dict, client: WebClient) -> None:
        handle_message(services, client, event, body.get("team_id", ""))
