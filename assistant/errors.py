"""Parley's small error hierarchy.

Each edge (CLI, HTTP, Slack) translates these into a short message for the user. The
``user_message`` never contains raw exception text from a library.
"""

from __future__ import annotations


class ParleyError(Exception):
    """Base class: anything Parley reports to a user as a one-line message."""

    exit_code = 1
    http_status = 400

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class ConfigError(ParleyError):
    """A setting is missing or wrong; the message names the setting to fix."""

    http_status = 503


class InputError(ParleyError):
    """The user's input (argument, file, question) cannot be used as given."""

    http_status = 422


class NotFoundError(ParleyError):
    """The thing asked for (payer, code, brief, job) does not exist."""

    http_status = 404


class UnknownEntityError(InputError):
    """A payer, code or term is not in the known vocabulary; suggests the closest."""

    def __init__(self, kind: str, value: str, suggestions: list[str]) -> None:
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"Unknown {kind} '{value}'.{hint}")
        self.kind = kind
        self.value = value
        self.suggestions = suggestions


class IngestError(ParleyError):
    """A source file could not be parsed or loaded; the batch continues."""


class ModelError(ParleyError):
    """The chat model is unreachable, timed out or misconfigured."""

    http_status = 502


class PermissionDenied(ParleyError):
    """The caller may not see or do this."""

    http_status = 403
