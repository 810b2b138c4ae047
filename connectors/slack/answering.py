"""Answer one Slack question: pick the visibility scope, post a placeholder, show
progress, then the final Block Kit answer — or answer privately when the channel may
not see a payer the question names."""

from __future__ import annotations

import logging
import re
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slack_sdk import WebClient

from assistant.errors import ParleyError
from connectors.redact import public_answer
from connectors.slack import blocks
from connectors.slack.visibility import Scope, named_payers

if TYPE_CHECKING:
    from connectors.slack.app import SlackServices

log = logging.getLogger("parley.slack")
MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
PROGRESS_MIN_INTERVAL_S = 0.4
MAX_QUESTION = 2000
TOO_LONG = "That question is too long; keep it under 2,000 characters."
NO_SCOPE = (
    "This channel isn't set up to see any payer's data yet. "
    "Ask a Parley admin to add it to the visibility mapping."
)


@dataclass
class Question:
    """Where a question came from and where the answer goes."""

    text: str
    team: str
    channel: str
    user: str
    thread_ts: str | None
    channel_type: str | None = None

    @property
    def conversation_id(self) -> str:
        """One conversation per Slack thread (channel + thread ts)."""
        return f"slack:{self.team}:{self.channel}:{self.thread_ts}"


def clean(text: str) -> str:
    """Drop @-mentions and surrounding whitespace."""
    return MENTION.sub("", text or "").strip()


def friendly_error(exc: BaseException) -> tuple[str, str]:
    """(sentence for the user, reference id); the details go to the log."""
    ref = uuid.uuid4().hex[:8]
    if isinstance(exc, ParleyError):
        log.info("question failed ref=%s: %s", ref, type(exc).__name__)
        return exc.user_message, ref
    log.error("question failed ref=%s", ref, exc_info=exc)
    return "Sorry — something went wrong while answering. Please try again.", ref


def answer_event(
    services: SlackServices, client: WebClient, event: dict, team: str, channel_type: str | None
) -> None:
    """Answer the question in a message event, at most once per message (retries and
    duplicate deliveries of the same channel + ts are dropped)."""
    channel, ts = event.get("channel", ""), event.get("ts", "")
    if not services.dedupe.first_time(f"msg:{channel}:{ts}"):
        return
    answer(
        services,
        client,
        Question(
            text=clean(event.get("text", "")),
            team=team,
            channel=channel,
            user=event.get("user", ""),
            thread_ts=event.get("thread_ts") or ts,
            channel_type=channel_type,
        ),
    )


def answer(services: SlackServices, client: WebClient, q: Question) -> None:
    """Route the question to a public (thread) or private (ephemeral) answer."""
    if not q.text:
        client.chat_postEphemeral(
            channel=q.channel,
            user=q.user,
            thread_ts=q.thread_ts,
            text="Ask me a question, e.g. “What's Keystone's timely filing limit?”",
        )
        return
    if len(q.text) > MAX_QUESTION:
        client.chat_postEphemeral(channel=q.channel, user=q.user, thread_ts=q.thread_ts,
                                  text=TOO_LONG)
        return
    is_dm = q.channel_type == "im"
    scope = services.visibility.channel(q.channel, q.channel_type, q.user)
    hidden = [p for p in named_payers(q.text, services.vocabulary()) if not scope.allows(p)]
    if hidden and not is_dm:
        _answer_privately(services, client, q, hidden)
        return
    if scope.empty:
        client.chat_postMessage(channel=q.channel, thread_ts=q.thread_ts, text=NO_SCOPE)
        return
    placeholder = client.chat_postMessage(
        channel=q.channel,
        thread_ts=q.thread_ts,
        text="searching…",
        blocks=blocks.progress_blocks("searching…"),
    )
    ts = placeholder["ts"]
    services.executor.submit(_answer_in_place, services, client, q, scope, ts)


def _answer_in_place(services: SlackServices, client: WebClient, q: Question, scope: Scope, ts: str) -> None:
    last_at, last_label = 0.0, ""

    def progress(label: str) -> None:
        nonlocal last_at, last_label
        now = time.monotonic()
        if label == last_label or now - last_at < PROGRESS_MIN_INTERVAL_S:
            return
        last_at, last_label = now, label
        try:
            client.chat_update(
                channel=q.channel, ts=ts, text=label, blocks=blocks.progress_blocks(label)
            )
        except Exception:
            log.warning("progress update failed", exc_info=True)

    try:
        result = services.assistant.ask(
            q.text,
            conversation_id=q.conversation_id,
            scope=scope,
            on_progress=progress,
        )
        services.feedback.record_answer(result, q.channel)
        result = public_answer(result)  # file names, never server paths
        client.chat_update(
            channel=q.channel,
            ts=ts,
            text=blocks.answer_fallback(result),
            blocks=blocks.answer_blocks(result),
        )
    except Exception as exc:
        message, ref = friendly_error(exc)
        try:
            client.chat_update(
                channel=q.channel,
                ts=ts,
                text=f"{message} (reference {ref})",
                blocks=blocks.error_blocks(message, ref),
            )
        except Exception:
            log.error("could not report failure ref=%s", ref, exc_info=True)


def not_visible_text(services: SlackServices, scope: Scope) -> str:
    """The one reply to a payer the asker may not see or that does not exist (the same
    words the assistant gives a scoped caller), listing only the payers it may see."""
    from assistant.engines.writer import refusal_text

    vocab = services.vocabulary()
    names = [p.name for p in (vocab.payers if vocab else []) if scope.allows(p.payer_id)]
    return refusal_text("not_visible", known=", ".join(names) or "none")


def _answer_privately(services: SlackServices, client: WebClient, q: Question, hidden: list[str]) -> None:
    """The channel may not see a named payer: answer only to the asker, in their scope."""
    user_scope = services.visibility.user(q.user)
    vocab = services.vocabulary()
    if not all(user_scope.allows(p) for p in hidden):
        # Never the payer's name: the asker may have typed a near miss of a payer it may not
        # see, and the reply must read like one about a name no payer has.
        client.chat_postEphemeral(channel=q.channel, user=q.user, thread_ts=q.thread_ts,
                                  text=not_visible_text(services, user_scope))
        return
    names = ", ".join(vocab.payer_name(p) if vocab else p for p in hidden)
    client.chat_postEphemeral(
        channel=q.channel,
        user=q.user,
        thread_ts=q.thread_ts,
        text=f"This channel can't see {names}, so I'll answer only to you…",
    )
    private = Question(
        q.text, q.team, q.channel, q.user, f"{q.thread_ts}:private:{q.user}", q.channel_type
    )
    services.executor.submit(_private_worker, services, client, q, private, user_scope, names)


def _private_worker(
    services: SlackServices, client: WebClient, q: Question, private: Question, scope: Scope, names: str
) -> None:
    try:
        result = services.assistant.ask(
            q.text, conversation_id=private.conversation_id, scope=scope
        )
        services.feedback.record_answer(result, q.channel)
        result = public_answer(result)  # file names, never server paths
        note = f"Only you can see this answer: this channel may not see {names}."
        client.chat_postEphemeral(
            channel=q.channel,
            user=q.user,
            thread_ts=q.thread_ts,
            text=blocks.answer_fallback(result),
            blocks=blocks.answer_blocks(result, note=note),
        )
    except Exception as exc:
        message, ref = friendly_error(exc)
        client.chat_postEphemeral(
            channel=q.channel,
            user=q.user,
            thread_ts=q.thread_ts,
            text=f"{message} (reference {ref})",
            blocks=blocks.error_blocks(message, ref),
        )
