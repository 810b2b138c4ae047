"""HTTP routes, one module per resource, and the dependencies they share."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from assistant.errors import ConfigError
from assistant.settings import Settings


def _assistant(request: Request) -> Any:
    assistant = getattr(request.app.state, "assistant", None)
    if assistant is None:
        raise ConfigError("The assistant is still starting; retry in a few seconds.")
    return assistant


def _settings(request: Request) -> Settings:
    return request.app.state.settings


AssistantDep = Annotated[Any, Depends(_assistant)]
SettingsDep = Annotated[Settings, Depends(_settings)]
