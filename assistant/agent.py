"""The agent loop: LangChain ``create_agent`` with Parley's tools, prompt and memory."""

from __future__ import annotations

import sqlite3
from typing import Any

from langchain.agents import create_agent
from langchain.agents.middleware import (
    AgentMiddleware,
    ModelRequest,
    ToolCallLimitMiddleware,
    dynamic_prompt,
    wrap_tool_call,
)
from langchain_core.messages import ToolMessage

from assistant.prompts import load_prompt
from assistant.settings import Settings
from assistant.tools.base import TurnContext

MAX_TOOL_CALLS_PER_TURN = 8


@dynamic_prompt
def _system_prompt(request: ModelRequest[TurnContext]) -> str:
    ctx = request.runtime.context
    return load_prompt(
        "system.md",
        as_of=ctx.as_of.isoformat(),
        # informational for the model: the tools enforce the scope whatever it says
        allowed_payers=(", ".join(ctx.scope.allowed or []) or "(none)") if ctx.scope.scoped else "",
    )


@wrap_tool_call
def _contain_tool_failures(request: Any, handler: Any) -> Any:
    """A failing tool becomes a tool error the writer can explain; never raw exception text."""
    import logging

    from assistant.errors import ParleyError
    from assistant.tools.base import error_result

    call = request.tool_call
    try:
        return handler(request)
    except ParleyError as exc:
        content, artifact = error_result(call["name"], exc.user_message, dict(call.get("args", {})))
    except Exception:
        logging.getLogger(__name__).exception("tool %s failed", call["name"])
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
