"""Chat models from a setting: the offline engine, or any ``init_chat_model`` provider."""

from __future__ import annotations

from typing import Any

from assistant.errors import ConfigError
from assistant.settings import Settings

OFFLINE = "offline"


def create_chat_model(settings: Settings, spec: str | None = None, **offline_parts: Any) -> Any:
    """Build the chat model named by ``spec`` (default: ``settings.chat_model``).

    ``offline`` → the deterministic offline engine (``offline_parts`` supply its planner,
    writer and payer list). ``provider:model`` → ``init_chat_model`` with the configured
    timeout, retries, base URL (OpenAI-compatible servers: vLLM, llama.cpp, Azure) and key.
    """
    spec = (spec or settings.chat_model).strip()
    if spec == OFFLINE:
        from assistant.engines.offline import OfflineChatModel

        return OfflineChatModel(**offline_parts)
    if ":" not in spec and not settings.chat_base_url:
        raise ConfigError(
            f"PARLEY_CHAT_MODEL '{spec}' needs a provider prefix such as 'openai:', "
            "'anthropic:' or 'ollama:' (or set PARLEY_CHAT_BASE_URL), or use 'offline'"
        )
    from langchain.chat_models import init_chat_model

    kwargs: dict[str, Any] = {"timeout": settings.chat_timeout_s, "max_retries": settings.chat_max_retries}
    if settings.chat_base_url:
        kwargs["base_url"] = settings.chat_base_url
        if ":" not in spec:
            spec = f"openai:{spec}"
    if settings.chat_api_key is not None:
        kwargs["api_key"] = settings.chat_api_key.get_secret_value()
    elif settings.chat_base_url:
        kwargs["api_key"] = "not-needed"  # local OpenAI-compatible servers ignore it
    try:
        return init_chat_model(spec, temperature=0, **kwargs)
    except ImportError as exc:
        raise ConfigError(
            f"The provider package for '{spec}' is not installed (e.g. pip install "
            "langchain-anthropic); or change PARLEY_CHAT_MODEL"
        ) from exc
    except Exception as exc:  # provider constructors raise assorted errors on bad config
        raise ConfigError(
            f"Cannot set up chat model '{spec}'; check PARLEY_CHAT_MODEL, PARLEY_CHAT_BASE_URL "
            "and PARLEY_CHAT_API_KEY"
        ) from exc
