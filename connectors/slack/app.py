"""``create_slack_app(settings, assistant=None, client=None)``: the Parley Bolt app.

Used in HTTP mode (mounted at ``/slack/events`` by the FastAPI app) and in Socket Mode
(``parley slack``). Listeners register themselves (``listeners/``); answering runs in a
small thread pool of its own so that acknowledgements never wait behind a slow answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from assistant.errors import ConfigError
from assistant.settings import Settings
from connectors.slack.dedupe import Dedupe
from connectors.slack.feedback import FeedbackStore, feedback_file
from connectors.slack.visibility import Visibility

if TYPE_CHECKING:
    from assistant.analytics.vocabulary import Vocabulary
    from assistant.service import Assistant

log = logging.getLogger("parley.slack")
ANSWER_WORKERS = 4


@dataclass
class SlackServices:
    """What listeners need, built once per app."""

    settings: Settings
    assistant_provider: Callable[[], Assistant]
    visibility: Visibility
    dedupe: Dedupe
    feedback: FeedbackStore
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(
            ANSWER_WORKERS, thread_name_prefix="parley-answer"
        )
    )

    @property
    def assistant(self) -> Assistant:
        """The shared assistant (built on first use when none was injected)."""
        return self.assistant_provider()

    def vocabulary(self) -> Vocabulary | None:
        """The assistant's payer vocabulary, or None when it cannot be read."""
        assistant = self.assistant  # a failure to build the assistant is not swallowed here
        try:
            vocab: Vocabulary = assistant.vocabulary()
            return vocab
        except Exception:
            log.warning("could not read the payer vocabulary", exc_info=True)
            return None


def _lazy_assistant(settings: Settings, assistant: Assistant | None) -> Callable[[], Assistant]:
    import threading

    built = assistant
    lock = threading.Lock()

    def get() -> Assistant:
        nonlocal built
        with lock:
            if built is None:
                from assistant.factory import create_assistant
                from assistant.warmup import warm_up

                built = create_assistant(settings)
                warm_up(built)
            return built

    return get


def create_slack_app(
    settings: Settings,
    assistant: Assistant | None = None,
    client: WebClient | None = None,
    *,
    socket_mode: bool = False,
) -> App:
    """Build the Bolt app; ``client`` and ``assistant`` are injectable (tests, HTTP server)."""
    if settings.slack_bot_token is None:
        raise ConfigError("Set PARLEY_SLACK_BOT_TOKEN (xoxb-…) to use Slack.")
    if not socket_mode and settings.slack_signing_secret is None:
        raise ConfigError("Set PARLEY_SLACK_SIGNING_SECRET to receive Slack events over HTTP.")
    from assistant.analytics.denials import import_heavy_libraries

    import_heavy_libraries(settings)  # here, before the answer threads can import them concurrently
    token = settings.slack_bot_token.get_secret_value()
    if client is None:
        client = (
            WebClient(token=token, base_url=settings.slack_api_url)
            if settings.slack_api_url
            else WebClient(token=token)
        )
    app = App(
        client=client,
        signing_secret=(
            settings.slack_signing_secret.get_secret_value()
            if settings.slack_signing_secret
            else None
        ),
        token_verification_enabled=False,
        request_verification_enabled=not socket_mode,
        process_before_response=False,
        raise_error_for_unhandled_request=False,
        logger=logging.getLogger("parley.slack.bolt"),
    )
    services = SlackServices(
        settings=settings,
        assistant_provider=_lazy_assistant(settings, assistant),
        visibility=Visibility.load(settings.slack_visibility_file),
        dedupe=Dedupe(settings.data_dir / "slack_events.sqlite"),
        feedback=FeedbackStore(feedback_file(settings.data_dir)),
    )
    app.use(_dedupe_middleware(services))

    @app.error
    def _on_error(error: Exception, body: dict) -> None:
        log.error(
            "slack listener failed (type=%s)",
            body.get("type") if isinstance(body, dict) else "?",
            exc_info=error,
        )

    from connectors.slack.listeners import register_all

    register_all(app, services)
    return app


def _dedupe_middleware(services: SlackServices) -> Callable[..., Any]:
    """Drop a delivery whose ``event_id`` was already handled (Slack retries)."""

    def middleware(body: dict, next: Callable[[], Any]) -> Any:  # noqa: A002 (Bolt's name)
        if not isinstance(body, dict):
            return BoltResponse(status=400, body="")
        event_id = body.get("event_id")
        if body.get("type") == "event_callback" and isinstance(event_id, str) and event_id:
            if not services.dedupe.first_time(f"event:{event_id}"):
                log.info("duplicate delivery of %s ignored", event_id)
                return BoltResponse(status=200, body="")
        return next()

    return middleware
