"""The agent loop: LangChain ``create_agent`` with Parley's tools, prompt and memory, and the
same loop without LangGraph for the offline engine's one-shot turns.

LangChain's agent factory and LangGraph cost about a second to import, more than the offline
engine takes to answer. A turn that keeps no conversation (``parley ask``) with the offline
engine runs in ``OneShotLoop`` instead: the same steps (system prompt, model, tools, the
per-turn tool-call limit, failing tools turned into tool errors) in plain Python, so that
process imports neither. Conversations (chat, HTTP, Slack) and chat models keep the LangGraph
agent and its checkpointer. Both loops build the prompt and contain tool failures with the
same functions below.

Tools type their ``runtime`` parameter with this module's ``ToolRuntime``: for mypy it is
LangChain's; at run time a light marker that LangChain reads as an injected argument, so
that importing a tool does not import LangGraph. LangGraph's tool node injects its own
runtime into any parameter named ``runtime``; the one-shot loop injects a ``TurnRuntime``.
Tools read only ``runtime.context``.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Annotated, Any

from assistant.prompts import load_prompt
from assistant.settings import Settings
from assistant.tools.base import TurnContext

if TYPE_CHECKING:
    from langchain.tools import ToolRuntime as ToolRuntime
    from langchain_core.messages import ToolCall
else:
    from langchain_core.tools import InjectedToolArg

    class ToolRuntime:
        """Run-time stand-in for LangChain's ``ToolRuntime`` annotation (see module doc):
        ``ToolRuntime[Ctx]`` is an argument LangChain injects and never shows the model."""

        def __class_getitem__(cls, item: Any) -> Any:
            return Annotated[TurnRuntime, InjectedToolArg()]


log = logging.getLogger(__name__)
MAX_TOOL_CALLS_PER_TURN = 8
RECURSION_LIMIT = 25  # LangGraph's default steps per run; a model call and its tools are 3
LIMIT_MESSAGE = "Tool call limit exceeded. Do not make additional tool calls."


@dataclass
class TurnRuntime:
    """What the one-shot loop passes as a tool's ``runtime``: the turn's context."""

    context: TurnContext
    tool_call_id: str | None = None


def system_prompt(ctx: TurnContext) -> str:
    """The system prompt of a turn (both loops)."""
    return load_prompt(
        "system.md",
        as_of=ctx.as_of.isoformat(),
        # informational for the model: the tools enforce the scope whatever it says
        allowed_payers=(", ".join(ctx.scope.allowed or []) or "(none)") if ctx.scope.scoped else "",
    )


def contain_tool_failure(call: ToolCall, run: Callable[[], Any]) -> Any:
    """``run()``, or, when the tool fails, a tool error the writer can explain; never raw
    exception text."""
    from langchain_core.messages import ToolMessage

    from assistant.errors import ParleyError
    from assistant.tools.base import error_result

    try:
        return run()
    except ParleyError as exc:
        content, artifact = error_result(call["name"], exc.user_message, dict(call.get("args", {})))
    except Exception:
        log.exception("tool %s failed", call["name"])
        content, artifact = error_result(
            call["name"],
            f"the {call['name']} step failed unexpectedly; it has been logged",
            dict(call.get("args", {})),
        )
    return ToolMessage(
        content=content, artifact=artifact, tool_call_id=call["id"], name=call["name"], status="error"
    )


def create_checkpointer(settings: Settings) -> Any:
    """A LangGraph SQLite checkpointer under the data directory (memory per thread)."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(settings.checkpoint_file), check_same_thread=False)
    return SqliteSaver(conn)


def create_parley_agent(model: Any, tools: list[Any], checkpointer: Any | None) -> Any:
    """The compiled agent graph; per-request context is a ``TurnContext``."""
    from langchain.agents import create_agent
    from langchain.agents.middleware import (
        AgentMiddleware,
        ToolCallLimitMiddleware,
        dynamic_prompt,
        wrap_tool_call,
    )

    @dynamic_prompt
    def _system_prompt(request: Any) -> str:
        return system_prompt(request.runtime.context)

    @wrap_tool_call
    def _contain_tool_failures(request: Any, handler: Any) -> Any:
        """A failing tool becomes a tool error the writer can explain."""
        return contain_tool_failure(request.tool_call, lambda: handler(request))

    # Each middleware has its own state schema, and langchain's decorators leave the context type
    # unbound (it defaults to None); the common base with Any makes the list one type.
    middleware: list[AgentMiddleware[Any, Any]] = [
        _system_prompt,
        _contain_tool_failures,
        ToolCallLimitMiddleware(run_limit=MAX_TOOL_CALLS_PER_TURN, exit_behavior="continue"),
    ]
    return create_agent(
        model,
        tools,
        middleware=middleware,
        context_schema=TurnContext,
        checkpointer=checkpointer,
    )


class StepLimitError(RuntimeError):
    """The one-shot loop ran past its step limit (LangGraph's ``GraphRecursionError``)."""


class OneShotLoop:
    """``create_parley_agent``'s loop without LangGraph and without memory, for a model that
    needs no tool binding (the offline engine). Offers the agent methods ``Assistant`` uses:
    ``invoke``, ``stream`` (``updates`` mode) and ``get_state`` (the thread's last run)."""

    KEEP_RUNS = 32  # threads whose last run ``get_state`` still returns

    def __init__(self, model: Any, tools: list[Any]) -> None:
        self.model = model
        self.tools = {t.name: t for t in tools}
        self._runs: OrderedDict[str, list[Any]] = OrderedDict()

    def invoke(self, input: dict[str, Any], config: dict[str, Any] | None = None,
               context: TurnContext | None = None, **_: Any) -> dict[str, Any]:
        """Run the turn to its answer; ``{"messages": [...]}`` like the compiled graph."""
        for _update in self.stream(input, config=config, context=context):
            pass
        return {"messages": list(self._runs[_thread(config)])}

    def stream(self, input: dict[str, Any], config: dict[str, Any] | None = None,
               context: TurnContext | None = None, stream_mode: str = "updates",
               **_: Any) -> Iterator[dict[str, Any]]:
        """Run the turn, yielding ``{node: {"messages": new}}`` after each step."""
        from langchain_core.messages import AIMessage, SystemMessage

        if context is None:
            raise ValueError("the one-shot loop needs the turn's context")
        limit = int((config or {}).get("recursion_limit", RECURSION_LIMIT))
        messages: list[Any] = list(input.get("messages", []))
        self._remember(_thread(config), messages)
        prompt = SystemMessage(system_prompt(context))
        calls_run, steps = 0, 0
        while True:
            steps += 2  # the model node and the tool-call limit's after-model node
            if steps > limit:
                raise StepLimitError(f"the agent loop passed {limit} steps")
            reply = self.model.invoke([prompt, *messages])
            if not isinstance(reply, AIMessage):
                raise TypeError(f"the model answered {type(reply).__name__}, not an AIMessage")
            messages.append(reply)
            yield {"model": {"messages": [reply]}}
            if not reply.tool_calls:
                return
            steps += 1
            if steps > limit:
                raise StepLimitError(f"the agent loop passed {limit} steps")
            allowed = reply.tool_calls[: max(0, MAX_TOOL_CALLS_PER_TURN - calls_run)]
            calls_run += len(reply.tool_calls)
            results = [_blocked(c) for c in reply.tool_calls[len(allowed):]]
            results += [self._run_tool(c, context) for c in allowed]
            messages.extend(results)
            yield {"tools": {"messages": results}}

    def get_state(self, config: dict[str, Any] | None) -> Any:
        """The messages of the thread's last run (``.values["messages"]``)."""
        return SimpleNamespace(values={"messages": list(self._runs.get(_thread(config), []))})

    def _remember(self, thread: str, messages: list[Any]) -> None:
        self._runs[thread] = messages
        self._runs.move_to_end(thread)
        while len(self._runs) > self.KEEP_RUNS:
            self._runs.popitem(last=False)

    def _run_tool(self, call: ToolCall, context: TurnContext) -> Any:
        """One tool call as LangGraph's tool node runs it inside ``contain_tool_failure``."""
        from langchain_core.messages import ToolMessage
        from pydantic import ValidationError

        tool = self.tools.get(call["name"])
        if tool is None:
            return ToolMessage(
                f"Error: {call['name']} is not a valid tool, try one of [{', '.join(self.tools)}].",
                name=call["name"], tool_call_id=call["id"], status="error")

        def run() -> Any:
            args = {**call["args"], "runtime": TurnRuntime(context, call["id"])}
            try:
                return tool.invoke({**call, "args": args, "type": "tool_call"})
            except ValidationError as exc:
                return ToolMessage(
                    f"Error invoking tool '{call['name']}' with kwargs {call['args']} with "
                    f"error:\n {exc.error_count()} invalid argument(s)\n Please fix the error "
                    "and try again.", name=call["name"], tool_call_id=call["id"], status="error")

        return contain_tool_failure(call, run)


def _blocked(call: ToolCall) -> Any:
    """The tool error for a call past ``MAX_TOOL_CALLS_PER_TURN`` (as LangChain's limit)."""
    from langchain_core.messages import ToolMessage

    return ToolMessage(LIMIT_MESSAGE, tool_call_id=call["id"], name=call.get("name"), status="error")


def _thread(config: dict[str, Any] | None) -> str:
    return str(((config or {}).get("configurable") or {}).get("thread_id", ""))
