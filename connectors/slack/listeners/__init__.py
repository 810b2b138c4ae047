"""Slack listeners, one module per listener; each exposes ``register(app, services)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

if TYPE_CHECKING:
    from connectors.slack.app import SlackServices


def register_all(app: App, services: SlackServices) -> None:
    """Register every listener on ``app``."""
    from connectors.slack.listeners import command, direct_message, feedback, findings, mention

    for module in (mention, direct_message, command, feedback, findings):
        module.register(app, services)
