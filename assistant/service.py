"""The Parley service: one object that every edge (CLI, HTTP, Slack) asks questions of.

``create_assistant(settings)`` builds the embedder, retriever, warehouse access, tools,
chat model and agent once. ``ask()`` runs one turn, enforces grounding, and returns an
``Answer``.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from assistant.answer import Answer, Citation, Figure
from assistant.errors import ModelError, ParleyError
from assistant.grounding import Evidence, check
from assistant.scope import EVERYONE, Scope
from assistant.settings import Settings
from assistant.tools.base import ToolDeps, TurnContext

if TYPE_CHECKING:
    from assistant.analytics.vocabulary import Vocabulary
    from assistant.embeddings import TextEmbedder

log = logging.getLogger(__name__)
REF_TOKEN_RE = re.compile(r"\[(S[0-9A-Za-z_]{6})\]")
REPAIR_PROMPT = "repair.md"
ASKED_PROMPT = "asked_repair.md"


@dataclass
class Assistant:
    """Answers questions with cited clauses and traced figures."""

    settings: Settings
    deps: ToolDeps
    agent: Any
    model_name: str
    vocabulary: Callable[[], Vocabulary]
    embedder: TextEmbedder | None = None
    _closers: list[Callable[[], None]] = field(default_factory=list)

    def ask(
        self,
        question: str,
        conversation_id: str | None = None,
        scope: Scope = EVERYONE,
        payer: str | None = None,
        as_of: dt.date | None = None,
        on_progress: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer one question (a turn of ``conversation_id`` when given), within the
        caller's payer ``scope`` (built by the edge; every tool resolves and filters
        through it); ``payer`` narrows the turn to one payer of that scope."""
        question = (question or "").strip()
        if not question:
            from assistant.errors import InputError

            raise InputError("Ask a question, e.g. \"What's Keystone's timely filing limit?\"")
        if len(question) > 2000:
            from assistant.errors import InputError

            raise InputError("That question is too long; keep it under 2,000 characters.")
        started = time.perf_counter()
        if payer:
            scope = scope.narrow(scope.resolve_optional(self.vocabulary(), payer))
        ctx = TurnContext(as_of=as_of or self.settings.today(), scope=scope, question=question)
        thread = conversation_id or f"oneshot-{uuid.uuid4().hex}"
        config = {"configurable": {"thread_id": thread}, "recursion_limit": 25}
        messages = self._run(question, ctx, config, on_progress)
        turn = _this_turn(messages)
        artifacts = [m.artifact for m in turn if isinstance(m, ToolMessage) and isinstance(m.artifact, dict)]
        final = next((m for m in reversed(turn) if isinstance(m, AIMessage) and not m.tool_calls), None)
        text = str(final.content) if final else ""
        refused = bool(final and final.response_metadata.get("refusal")) or not artifacts
        evidence = Evidence.from_artifacts(artifacts, question)
        report = check(text, evidence)
        if not report.ok and self.model_name != "offline":
            text = self._repair(report, ctx, config, on_progress) or text
            report = check(text, evidence)
        if self.model_name != "offline" and artifacts and not refused:
            report, artifacts = self._asked_value(question, report, artifacts, ctx, config, on_progress)
        if report.dropped:
            log.warning("grounding dropped %d sentence(s)", len(report.dropped))
        answer_text, citations = _number_citations(report.text, artifacts)
        if not answer_text.strip():
            answer_text = "I couldn't support an answer to that from our contracts and data."
            refused = True
        return Answer(
            answer_id=uuid.uuid4().hex[:12],
            question=question,
            text=answer_text,
            citations=citations,
            figures=_figures(artifacts),
            tools_used=[a["tool"] for a in artifacts],
            refused=refused,
            flagged=report.dropped,
            model=self.model_name,
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
            conversation_id=conversation_id,
        )

    def _run(
        self,
        question: str,
        ctx: TurnContext,
        config: dict[str, Any],
        on_progress: Callable[[str], None] | None,
    ) -> list[Any]:
        try:
            if on_progress is None:
                result = self.agent.invoke({"messages": [HumanMessage(question)]}, config=config, context=ctx)
                return list(result["messages"])
            for update in self.agent.stream(
                {"messages": [HumanMessage(question)]}, config=config, context=ctx, stream_mode="updates"
            ):
                for _node, payload in update.items():
                    for m in (payload or {}).get("messages", []) if isinstance(payload, dict) else []:
                        if isinstance(m, AIMessage) and m.tool_calls:
                            for c in m.tool_calls:
                                on_progress(_progress_label(c["name"]))
            state = self.agent.get_state(config)
            return list(state.values["messages"])
        except ParleyError:
            raise
        except Exception as exc:
            if self.model_name == "offline":
                raise
            log.warning("chat model failed: %s", type(exc).__name__, exc_info=True)
            raise ModelError(
                f"The chat model '{self.model_name}' did not answer (unreachable, timed out or "
                "refused the key); check PARLEY_CHAT_MODEL, PARLEY_CHAT_BASE_URL and PARLEY_CHAT_API_KEY"
            ) from exc

    def _repair(
        self, report: Any, ctx: TurnContext, config: dict[str, Any], on_progress: Callable[[str], None] | None
    ) -> str | None:
        from assistant.prompts import load_prompt

        problems = report.unsupported_numbers + [f'"{q}"' for q in report.unsupported_quotes]
        prompt = load_prompt(REPAIR_PROMPT, problems=", ".join(problems))
        messages = self._run(prompt, ctx, config, on_progress)
        final = next((m for m in reversed(messages) if isinstance(m, AIMessage) and not m.tool_calls), None)
        return str(final.content) if final else None

    def _asked_value(
        self, question: str, report: Any, artifacts: list[dict[str, Any]], ctx: TurnContext,
        config: dict[str, Any], on_progress: Callable[[str], None] | None,
    ) -> tuple[Any, list[dict[str, Any]]]:
        """A chat model's answer that lacks the asked kind of value (``engines.asked``) gets
        one more try, where the model may call other tools; still missing, the answer says
        what is missing (the offline engine does the same in its planner and writer)."""
        from assistant.engines.asked import missing_note, missing_values, read_asked
        from assistant.prompts import load_prompt

        asked = read_asked(question)
        note = missing_note(asked, report.text)
        if note is None:
            return report, artifacts
        missing = " or ".join(missing_values(asked, report.text))
        prompt = load_prompt(ASKED_PROMPT, question=question, missing=missing)
        turn = _this_turn(self._run(prompt, ctx, config, on_progress))
        final = next((m for m in reversed(turn) if isinstance(m, AIMessage) and not m.tool_calls), None)
        if final is not None:
            more = artifacts + [m.artifact for m in turn
                                if isinstance(m, ToolMessage) and isinstance(m.artifact, dict)]
            retry = check(str(final.content), Evidence.from_artifacts(more, question))
            if retry.text.strip() and missing_note(asked, retry.text) is None:
                return retry, more
        report.text = report.text.rstrip() + "\n\n" + note
        return report, artifacts

    def close(self) -> None:
        """Release stores."""
        for c in self._closers:
            c()


def _progress_label(tool: str) -> str:
    return {
        "contract_search": "searching contracts…",
        "contract_terms": "reading contract terms…",
        "rate_comparison": "comparing rates…",
        "underpayments": "checking payments against contract…",
        "denials": "analysing denials…",
        "payment_timeliness": "measuring days to pay…",
        "payer_mix": "computing payer mix…",
        "walkaway": "modelling walk-away impact…",
        "counteroffer": "modelling the counteroffer…",
        "deadlines": "checking deadlines…",
    }.get(tool, f"running {tool}…")


def _this_turn(messages: list[Any]) -> list[Any]:
    last_human = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
    return messages[last_human + 1 :]


def _number_citations(text: str, artifacts: list[dict[str, Any]]) -> tuple[str, list[Citation]]:
    """Replace [Sxxxxxx] refs with [1], [2] … in order of appearance; build citations."""
    by_ref: dict[str, dict[str, Any]] = {}
    for a in artifacts:
        for c in a.get("citations", []):
            by_ref.setdefault(c["ref"], c)
    order: dict[str, int] = {}
    for m in REF_TOKEN_RE.finditer(text):
        if m.group(1) in by_ref and m.group(1) not in order:
            order[m.group(1)] = len(order) + 1
    text = REF_TOKEN_RE.sub(lambda m: f"[{order[m.group(1)]}]" if m.group(1) in order else "", text)
    citations = [Citation.from_artifact(n, by_ref[ref]) for ref, n in order.items()]
    return text, citations


def _figures(artifacts: list[dict[str, Any]]) -> list[Figure]:
    out = []
    for a in artifacts:
        for f in a.get("figures", [])[:40]:
            value = f.get("value")
            if not isinstance(value, int | float | str) or isinstance(value, bool):
                value = str(value)
            out.append(
                Figure(
                    label=f.get("label", ""),
                    value=value,
                    unit=f.get("unit"),
                    tool=a.get("tool", ""),
                    filters=a.get("filters", {}),
                    rows=a.get("rows"),
                )
            )
    return out


def stream_events(assistant: Assistant, question: str, **kw: Any) -> Iterator[dict[str, Any]]:
    """Progress events, then the answer, as dicts (for SSE and Slack progress updates)."""
    events: list[dict[str, Any]] = []
    answer = assistant.ask(
        question, on_progress=lambda s: events.append({"event": "progress", "data": s}), **kw
    )
    yield from events
    yield {"event": "text", "data": answer.text}
    yield {"event": "citations", "data": [c.model_dump() for c in answer.citations]}
    yield {"event": "done", "data": answer.model_dump()}
