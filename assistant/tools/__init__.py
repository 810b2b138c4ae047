"""The agent's tools: one module per tool, assembled by ``build_tools``.

Tools are read-only, take typed arguments (never SQL or file paths) and return
``(content, artifact)`` with the filters and row counts behind every figure.
"""

from __future__ import annotations

from langchain_core.tools import BaseTool

from assistant.tools.base import ToolDeps, TurnContext

TOOL_FACTORIES = (
    "assistant.tools.contract_search:make_contract_search",
    "assistant.tools.contract_terms:make_contract_terms",
    "assistant.tools.rates:make_rate_comparison",
    "assistant.tools.underpayments:make_underpayments",
    "assistant.tools.denials:make_denials",
    "assistant.tools.timeliness:make_payment_timeliness",
    "assistant.tools.payer_mix:make_payer_mix",
    "assistant.tools.walkaway:make_walkaway",
    "assistant.tools.counteroffer:make_counteroffer",
    "assistant.tools.deadlines:make_deadlines",
)


def build_tools(deps: ToolDeps) -> list[BaseTool]:
    """Instantiate every tool of ``TOOL_FACTORIES`` bound to ``deps``."""
    import importlib

    tools = []
    for spec in TOOL_FACTORIES:
        module_name, factory = spec.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # tool not built yet
            raise
        tools.append(getattr(module, factory)(deps))
    return tools


__all__ = ["ToolDeps", "TurnContext", "build_tools"]
