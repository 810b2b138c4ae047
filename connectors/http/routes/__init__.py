"""HTTP routes, one module per resource, and the dependencies they share."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Request
from pydantic import AfterValidator

from assistant.errors import ConfigError, InputError
from assistant.service import Assistant
from assistant.settings import Settings


def _assistant(request: Request) -> Assistant:
    # app.state.assistant is set by the lifespan before the first request (None until then)
    assistant: Assistant | None = request.app.state.assistant
    if assistant is None:
        raise ConfigError("The assistant is still starting; retry in a few seconds.")
    return assistant


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


AssistantDep = Annotated[Assistant, Depends(_assistant)]
SettingsDep = Annotated[Settings, Depends(_settings)]


def _bounded(day: dt.date) -> dt.date:
    from assistant.periods import check_date

    try:
        return check_date(day, "The as-of date")
    except InputError as exc:
        raise ValueError(exc.user_message) from None


#: An as-of date Parley can compute with (a clear 422 outside 1900-01-01..2199-12-31).
AsOfDate = Annotated[dt.date, AfterValidator(_bounded)]
