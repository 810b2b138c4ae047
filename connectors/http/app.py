"""``create_app(settings)``: the Parley HTTP API (and Slack's ``/slack/events``).

The lifespan builds the assistant once (unless a test injects one), the API key store,
the ingestion job registry and, when Slack is configured, the Bolt app that shares the
same assistant. Routes read these from ``app.state`` through small dependencies.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from anyio import to_thread
from fastapi import FastAPI

from assistant.settings import Settings
from assistant.warmup import warm_index, warm_up
from connectors.http.auth import KeyStore, keys_file
from connectors.http.errors import install_error_handlers
from connectors.http.jobs import IngestRunner, JobRegistry

if TYPE_CHECKING:
    from assistant.service import Assistant

DESCRIPTION = """Parley answers questions about payer contracts, rates, remittances and
denials with citations, drafts negotiation briefs and tracks contract deadlines.

Authenticate with `Authorization: Bearer <key>` (create keys with `parley keys add`).
Roles: **reader** (ask, deadlines, findings), **negotiator** (briefs, finding status,
disputes), **admin** (ingest, jobs).
Every response carries `X-Request-ID`; error bodies are `{"detail", "request_id"}`."""


def create_app(
    settings: Settings,
    assistant: Assistant | None = None,
    *,
    ingest_runner: IngestRunner | None = None,
    slack_client: Any | None = None,
) -> FastAPI:
    """Build the FastAPI app. ``assistant`` and ``ingest_runner`` are injectable for tests."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from assistant.analytics.denials import import_heavy_libraries

        # Before any worker thread (index warm-up, ingest jobs, Slack answers) can race on
        # the torch / scipy.stats imports.
        await to_thread.run_sync(import_heavy_libraries, settings)
        built = assistant
        if built is None:
            from assistant.factory import create_assistant

            built = await to_thread.run_sync(create_assistant, settings)
            await to_thread.run_sync(warm_up, built)
        app.state.assistant = built
        app.state.slack = None
        if settings.slack_signing_secret and settings.slack_bot_token:
            from connectors.slack.app import create_slack_app

            app.state.slack = create_slack_app(settings, assistant=built, client=slack_client)
        app.state.scheduler = _start_monitor_schedule(settings)
        try:
            yield
        finally:
            if app.state.scheduler is not None:
                app.state.scheduler.shutdown(wait=False)
            app.state.jobs.join(timeout=1.0)
            if assistant is None:  # built here, so closed here; an injected one is the caller's
                built.close()

    app = FastAPI(
        title="Parley API",
        version="1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.assistant = assistant
    app.state.slack = None
    app.state.scheduler = None
    app.state.keys = KeyStore(keys_file(settings))
    app.state.jobs = JobRegistry(
        settings, ingest_runner or _shared_embedder_runner(app), on_done=lambda: _invalidate(app)
    )
    install_error_handlers(app)
    # Added after the request-id middleware, so it runs inside it (413s carry the id).
    from connectors.http.limits import BodyLimitMiddleware, body_limit_for

    app.add_middleware(BodyLimitMiddleware, limit_for=body_limit_for(settings))

    from connectors.http.routes import ask, briefs, deadlines, findings, health, ingest, slack

    for module in (health, ask, briefs, deadlines, findings, ingest, slack):
        app.include_router(module.router)
    return app


def _start_monitor_schedule(settings: Settings) -> Any:
    """The payer monitor on ``settings.monitor_cron`` (None: no scheduler). Its warehouse
    writes share the findings routes' lock, so they never overlap a status change."""
    if not settings.monitor_cron:
        return None
    from assistant.monitor.schedule import monitor_and_post, start_scheduler
    from connectors.http.routes.findings import serialised_write

    return start_scheduler(settings, lambda: serialised_write(settings, monitor_and_post, settings))


def _shared_embedder_runner(app: FastAPI) -> IngestRunner:
    """The real ingestion job, reusing the assistant's embedder instead of loading another."""

    def run(settings: Settings, paths: list[Path]) -> dict[str, Any]:
        from ingest.job import run_ingest

        assistant: Assistant | None = app.state.assistant
        embedder = assistant.embedder if assistant is not None else None
        return run_ingest(settings, paths, embedder=embedder).to_dict()

    return run


def _invalidate(app: FastAPI) -> None:
    """After an ingest, forget the assistant's cached vocabulary (new payers, codes) and
    rebuild the search index in the background."""
    assistant: Assistant | None = app.state.assistant
    if assistant is None:
        return
    vocab: Any = assistant.vocabulary  # factory's cached vocabulary; a plain callable has no cache
    if hasattr(vocab, "invalidate"):
        vocab.invalidate()
    warm_index(assistant)
