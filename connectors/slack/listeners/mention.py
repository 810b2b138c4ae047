"""``@Parley question`` in a channel: answer in the thread (follow-ups keep context)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from connectors.slack.answering import Question, answer, clean


def handle_mention(services: Any, client: WebClient, event: dict, team: str) -> None:
    """Answer one mention, at most once per message (even if delivered twice)."""
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
            channel_type=event.get("channel_type"),
        ),
    )


def register(app: App, services: Any) -> None:
    """Listen for ``app_mention`` (Bolt acks events before the listener runs)."""

    @app.event("app_mention")
    def _on_mention(event: dict, body: dict, client: WebClient) -> None:
        handle_mention(services, client, event, body.get("team_id", ""))
