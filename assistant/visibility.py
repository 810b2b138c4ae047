"""Who may see which payers in Slack: a JSON mapping of channels and users to payer ids.

``{"channels": {"C123": ["KEYSTONE"]}, "users": {"U123": ["KEYSTONE", "NORTHWIND"]}}``.
Without a mapping file every channel and user sees every payer (a single-team install).
With one, an unmapped channel or user sees nothing until an admin adds it. Read by the
Slack app (``connectors/slack``) and by the monitor's digest, which posts to a channel.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError
from assistant.scope import Scope


@dataclass
class Visibility:
    """The mapping, read once at start-up."""

    channels: dict[str, frozenset[str]] = field(default_factory=dict)
    users: dict[str, frozenset[str]] = field(default_factory=dict)
    configured: bool = False

    @classmethod
    def load(cls, path: Path | None) -> Visibility:
        """Read the mapping file; no file configured → everything visible."""
        if path is None:
            return cls()
        try:
            raw: Any = json.loads(Path(path).read_text(encoding="utf-8"))
            return cls(
                channels={
                    str(k): frozenset(map(str, v)) for k, v in raw.get("channels", {}).items()
                },
                users={str(k): frozenset(map(str, v)) for k, v in raw.get("users", {}).items()},
                configured=True,
            )
        except (OSError, ValueError, AttributeError, TypeError) as exc:
            raise ConfigError(
                f"The Slack visibility file {path} cannot be read; it must be JSON with "
                "'channels' and 'users' objects mapping ids to payer id lists."
            ) from exc

    def user(self, user_id: str) -> Scope:
        """What one person may see (used for DMs and private answers)."""
        if not self.configured:
            return Scope(None)
        return Scope(self.users.get(user_id, frozenset()))

    def channel(
        self, channel_id: str, channel_type: str | None = None, user_id: str | None = None
    ) -> Scope:
        """What every member of a channel may see; a DM is the user's own scope."""
        if channel_type == "im" or (channel_id.startswith("D") and user_id):
            return self.user(user_id or "")
        if not self.configured:
            return Scope(None)
        return Scope(self.channels.get(channel_id, frozenset()))
