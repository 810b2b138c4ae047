"""``/parley ask …``, ``/parley deadlines``, ``/parley brief <payer>``, ``/parley help``."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from assistant.errors import ConfigError, ParleyError
from assistant.scope import Scope
from connectors import briefs_api, deadlines_api
from connectors.slack import blocks
from connectors.slack.answering import MAX_QUESTION, TOO_LONG, Question, answer, friendly_error

if TYPE_CHECKING:
    from assistant.analytics.vocabulary import Vocabulary
    from connectors.slack.app import SlackServices

log = logging.getLogger("parley.slack")
HELP = (
    "Try `/parley ask What's Keystone's timely filing limit?`, `/parley deadlines` "
    "or `/parley brief Blue Summit`."
)


def _channel_type(command: dict) -> str | None:
    return "im" if command.get("channel_name") == "directmessage" else None


def _ephemeral(client: WebClient, command: dict, text: str, **kw: Any) -> None:
    client.chat_postEphemeral(
        channel=command["channel_id"], user=command["user_id"], text=text, **kw
    )


def run_ask(services: SlackServices, client: WebClient, command: dict, text: str) -> None:
    """Post the question in the channel and answer it in its thread (a question over
    ``MAX_QUESTION`` characters is refused privately first, and never echoed)."""
    if len(text) > MAX_QUESTION:
        _ephemeral(client, command, TOO_LONG)
        return
    channel, user = command["channel_id"], command["user_id"]
    scope = services.visibility.channel(channel, _channel_type(command), user)
    from connectors.slack.visibility import named_payers

    hidden = [p for p in named_payers(text, services.vocabulary()) if not scope.allows(p)]
    thread_ts = None
    if not hidden and not scope.empty:
        posted = client.chat_postMessage(channel=channel, text=f"<@{user}> asked: {text}")
        thread_ts = posted["ts"]
    answer(
        services,
        client,
        Question(
            text=text,
            team=command.get("team_id", ""),
            channel=channel,
            user=user,
            thread_ts=thread_ts,
            channel_type=_channel_type(command),
        ),
    )


def run_deadlines(services: SlackServices, client: WebClient, command: dict) -> None:
    """Upcoming contract deadlines the channel may see."""
    scope = services.visibility.channel(
        command["channel_id"], _channel_type(command), command["user_id"]
    )
    try:
        rows = deadlines_api.upcoming(
            services.settings, services.assistant, None, None, scope
        )
    except ConfigError as exc:
        _ephemeral(client, command, exc.user_message)
        return
    as_of = str(services.settings.today())
    client.chat_postMessage(
        channel=command["channel_id"],
        text="Contract deadlines",
        blocks=blocks.deadlines_blocks(rows, as_of),
    )


def _visible_name(scope: Scope, vocab: Vocabulary | None, payer: str) -> bool:
    """True when ``payer`` names a payer ``scope`` may see."""
    if vocab is None:
        return False
    try:
        scope.resolve_payer(vocab, payer)
    except ParleyError:
        return False
    return True


def run_brief(services: SlackServices, client: WebClient, command: dict, payer: str) -> None:
    """Build a brief; post its summary and upload the full document (PDF with the charts,
    else Markdown) in the summary's thread."""
    if not payer:
        _ephemeral(client, command, "Which payer? e.g. `/parley brief Blue Summit`")
        return
    channel, user = command["channel_id"], command["user_id"]
    scope = services.visibility.channel(channel, _channel_type(command), user)
    from connectors.slack.visibility import named_payers

    vocab = services.vocabulary()
    named = named_payers(payer, vocab)
    if scope.scoped and (scope.empty or any(not scope.allows(p) for p in named)
                         or not _visible_name(scope, vocab, payer)):
        # a hidden payer, a near miss of one and a name no payer has read alike
        from connectors.slack.answering import not_visible_text

        _ephemeral(client, command, not_visible_text(services, scope))
        return
    _ephemeral(client, command, f"Building the brief for {payer}… this takes a few seconds.")
    try:
        brief = briefs_api.build(services.settings, services.assistant, payer, scope)
    except ConfigError as exc:
        _ephemeral(client, command, exc.user_message)
        return
    posted = client.chat_postMessage(
        channel=channel,
        text=f"Negotiation brief — {brief.payer_name}",
        blocks=blocks.brief_summary_blocks(
            brief.payer_name, briefs_api.summary_lines(brief), brief.brief_id
        ),
    )
    path, kind = _document(services, brief, scope)
    client.files_upload_v2(
        channel=channel,
        thread_ts=posted["ts"],
        file=str(path),
        filename=f"brief-{brief.brief_id}.{kind}",
        title=f"Negotiation brief — {brief.payer_name}",
    )


def _document(services: SlackServices, brief: Any, scope: Scope) -> tuple[Any, str]:
    """The PDF (charts included) when it can be written, else the Markdown."""
    try:
        return briefs_api.export(services.settings, brief.brief_id, "pdf", scope), "pdf"
    except Exception:
        log.warning("PDF export failed; uploading Markdown", exc_info=True)
        return briefs_api.export(services.settings, brief.brief_id, "md", scope), "md"


def dispatch(services: SlackServices, client: WebClient, command: dict) -> None:
    """Run one subcommand; failures reach the user as a sentence with a reference."""
    verb, _, rest = (command.get("text") or "").strip().partition(" ")
    verb, rest = verb.lower(), rest.strip()
    try:
        if verb == "ask":
            run_ask(services, client, command, rest)
        elif verb == "deadlines":
            run_deadlines(services, client, command)
        elif verb == "brief":
            run_brief(services, client, command, rest)
        else:
            _ephemeral(client, command, HELP)
    except Exception as exc:
        message, ref = friendly_error(exc)
        _ephemeral(
            client,
            command,
            f"{message} (reference {ref})",
            blocks=blocks.error_blocks(message, ref),
        )


def register(app: App, services: SlackServices) -> None:
    """Listen for ``/parley``; ack at once, work after (Bolt runs us in its thread pool)."""

    @app.command("/parley")
    def _on_command(ack: Ack, command: dict, client: WebClient) -> None:
        verb = (command.get("text") or "").strip().split(" ")[0].lower()
        if verb not in ("ask", "deadlines", "brief"):
            ack(HELP)
            return
        ack()
        services.executor.submit(dispatch, services, client, command)
