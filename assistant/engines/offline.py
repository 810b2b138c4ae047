"""The offline engine: a deterministic chat model behind the same agent loop.

It plans tool calls from the question (``planner.py``) and, once the tools have run,
writes the answer from their artifacts (``writer.py``). It sees only the messages, like
any chat model: the as-of date comes from the system prompt ("Today is YYYY-MM-DD").
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import ConfigDict

from assistant.engines.planner import Planner, PriorTurn
from assistant.engines.writer import Writer, refusal_text

TODAY_RE = re.compile(r"Today is (\d{4}-\d{2}-\d{2})")
ALLOWED_RE = re.compile(r"You may only discuss these payers: ([^.\n]+)\.")


class OfflineChatModel(BaseChatModel):
    """Plans tool calls and writes cited answers without any language model."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    planner: Planner
    writer: Writer
    known_payers: Callable[[], list[tuple[str, str]]]

    @property
    def _llm_type(self) -> str:
        return "parley-offline"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> OfflineChatModel:  # type: ignore[override]
        """The planner already knows Parley's tools; binding changes nothing."""
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        as_of = _as_of(messages)
        allowed = _allowed(messages)
        last_human = max(i for i, m in enumerate(messages) if isinstance(m, HumanMessage))
        question = str(messages[last_human].content)
        after = messages[last_human + 1 :]
        if any(isinstance(m, ToolMessage) for m in after):
            text = self._write(question, after)
            retry = self._next_plan(question, as_of, messages[:last_human], after, text)
            if retry is not None:
                return ChatResult(generations=[ChatGeneration(message=retry)])
            nothing = text.strip() == refusal_text("no_results").strip()
            msg = AIMessage(content=text, response_metadata={"refusal": "no_results"} if nothing else {})
        else:
            msg = self._plan(question, as_of, _history(messages[:last_human]), allowed)
        return ChatResult(generations=[ChatGeneration(message=msg)])

    def _known(self, allowed: list[str] | None) -> str:
        """The payers a refusal lists: those the caller may see (only refusals need them)."""
        names = [name for pid, name in self.known_payers() if allowed is None or pid in allowed]
        return ", ".join(names) or "none yet (run 'parley ingest' on your data)"

    def _plan(
        self, question: str, as_of: dt.date, history: list[PriorTurn], allowed: list[str] | None
    ) -> AIMessage:
        plan = self.planner.plan(question, as_of, history)
        named = plan.entities.payers if plan.entities else []
        if allowed is not None and (plan.refusal == "unknown_payer"
                                    or any(p not in allowed for p in named)):
            # A scoped caller gets one answer for a payer it may not see and for a name no
            # payer has, without echoing the name: nothing tells it which payers exist.
            return AIMessage(content=refusal_text("not_visible", known=self._known(allowed)),
                             response_metadata={"refusal": "not_visible"})
        if plan.refusal:
            return AIMessage(
                content=refusal_text(plan.refusal, detail=plan.detail or "",
                                     known=self._known(allowed)),
                response_metadata={"refusal": plan.refusal},
            )
        if not plan.calls:
            return AIMessage(
                content=refusal_text("out_of_scope"), response_metadata={"refusal": "out_of_scope"}
            )
        calls = [
            {
                "name": c["name"],
                "args": {k: v for k, v in c["args"].items() if v is not None},
                "id": f"call_{uuid.uuid4().hex[:12]}",
                "type": "tool_call",
            }
            for c in plan.calls
        ]
        return AIMessage(content="", tool_calls=calls)

    def _next_plan(
        self, question: str, as_of: dt.date, before: list[BaseMessage], after: list[BaseMessage], text: str
    ) -> AIMessage | None:
        """Once per turn: when the answer lacks the asked kind of value, the next plan's calls."""
        planned = [m for m in after if isinstance(m, AIMessage) and m.tool_calls]
        if len(planned) != 1:
            return None
        done = [{"name": c["name"], "args": c["args"]} for c in planned[0].tool_calls]
        calls = self.planner.next_calls(question, as_of, _history(before), done, text)
        if not calls:
            return None
        return AIMessage(content="", tool_calls=[
            {"name": c["name"], "args": {k: v for k, v in c["args"].items() if v is not None},
             "id": f"call_{uuid.uuid4().hex[:12]}", "type": "tool_call"} for c in calls])

    def _write(self, question: str, after: list[BaseMessage]) -> str:
        calls: dict[str, dict[str, Any]] = {}
        for m in after:
            if isinstance(m, AIMessage):
                for c in m.tool_calls:
                    if c["id"] is not None:  # a call without an id has no tool result to pair with
                        calls[c["id"]] = {"name": c["name"], "args": c["args"]}
        results = []
        for m in after:
            if isinstance(m, ToolMessage):
                call = calls.get(m.tool_call_id, {"name": m.name or "", "args": {}})
                artifact = (
                    m.artifact
                    if isinstance(m.artifact, dict)
                    else {"error": "the tool failed", "figures": [], "citations": []}
                )
                results.append((call, artifact))
        return self.writer.write(question, results)


def _as_of(messages: list[BaseMessage]) -> dt.date:
    for m in messages:
        if isinstance(m, SystemMessage):
            found = TODAY_RE.search(str(m.content))
            if found:
                return dt.date.fromisoformat(found.group(1))
    return dt.date.today()


def _allowed(messages: list[BaseMessage]) -> list[str] | None:
    for m in messages:
        if isinstance(m, SystemMessage):
            found = ALLOWED_RE.search(str(m.content))
            if found:
                return [p.strip() for p in found.group(1).split(",")]
    return None


def _history(messages: list[BaseMessage]) -> list[PriorTurn]:
    turns: list[PriorTurn] = []
    for m in messages:
        if isinstance(m, HumanMessage):
            turns.append(PriorTurn(str(m.content)))
        elif isinstance(m, AIMessage) and m.tool_calls and turns:
            turns[-1].calls.extend({"name": c["name"], "args": c["args"]} for c in m.tool_calls)
    return turns
