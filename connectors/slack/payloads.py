"""The shape of what Slack sends, checked before Bolt or a listener reads it.

A request that is validly signed can still carry a body no Slack client would send (a
JSON array, ``event: null``, ``channel: 123``, a ``payload=`` field that is not a JSON
object, actions that are not objects). ``well_formed`` says whether the body has the
shapes our listeners rely on; the route answers 400 otherwise, never 500.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

EVENT_STRINGS = ("type", "channel", "user", "text", "ts", "thread_ts", "channel_type",
                 "subtype", "bot_id", "event_ts", "team")
ACTION_STRINGS = ("action_id", "block_id", "value", "type", "action_ts")


def _strings(obj: dict[str, Any], keys: tuple[str, ...]) -> bool:
    """Each of ``keys`` present in ``obj`` is a string (or null)."""
    return all(obj.get(k) is None or isinstance(obj[k], str) for k in keys)


def _object(obj: Any, keys: tuple[str, ...] = ("id",)) -> bool:
    return isinstance(obj, dict) and _strings(obj, keys)


def _event_envelope(data: Any) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        return False
    if not _strings(data, ("event_id", "team_id", "api_app_id", "token", "challenge")):
        return False
    # ids Bolt reads from any envelope: a string or an object with a string id
    for key in ("user", "channel", "team", "enterprise"):
        value = data.get(key)
        if value is not None and not isinstance(value, str) and not _object(value):
            return False
    if data["type"] == "url_verification":
        return isinstance(data.get("challenge"), str)
    if data["type"] == "event_callback":
        event = data.get("event")
        return isinstance(event, dict) and isinstance(event.get("type"), str) and _strings(
            event, EVENT_STRINGS
        )
    return True


def _interaction(data: Any) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        return False
    for key in ("user", "channel", "team"):
        if key in data and data[key] is not None and not _object(data[key]):
            return False
    for key in ("container", "message"):
        if key in data and data[key] is not None and not isinstance(data[key], dict):
            return False
    message = data.get("message") or {}
    if not _strings(message, ("ts", "text")) or not isinstance(message.get("blocks", []), list):
        return False
    actions = data.get("actions", [])
    if actions is None:
        return True
    return isinstance(actions, list) and all(
        isinstance(a, dict) and _strings(a, ACTION_STRINGS) for a in actions
    )


def well_formed(body: str, content_type: str) -> bool:
    """True when the (already signature-checked) body has the shapes listeners read."""
    if content_type.startswith("application/json"):
        try:
            return _event_envelope(json.loads(body))
        except ValueError:
            return False
    if not content_type.startswith("application/x-www-form-urlencoded"):
        return False
    try:
        form = parse_qs(body, keep_blank_values=True, strict_parsing=True, errors="strict")
    except (ValueError, UnicodeDecodeError):
        return False
    if any(len(v) != 1 for v in form.values()):
        return False
    if "payload" in form:
        try:
            return _interaction(json.loads(form["payload"][0]))
        except ValueError:
            return False
    return "command" in form
