"""Tool: claims, patients and revenue per payer, share of the practice, cost coverage."""

from __future__ import annotations

from typing import Any

from langchain.tools import ToolRuntime
from langchain_core.tools import BaseTool, tool
from pydantic import BaseModel, Field

from assistant.tools.base import (
    ToolDeps,
    TurnContext,
    figure,
    run_on_warehouse,
    tool_result,
    visible,
)
from assistant.tools.periods import period_from


class PayerMixArgs(BaseModel):
    """Arguments of payer_mix."""

    start: str | None = Field(default=None, description="First date of service, YYYY-MM-DD.")
    end: str | None = Field(default=None, description="Last date of service, YYYY-MM-DD.")


def make_payer_mix(deps: ToolDeps) -> BaseTool:
    """Build the payer_mix tool."""

    @tool("payer_mix", args_schema=PayerMixArgs, response_format="content_and_artifact")
    def payer_mix(
        runtime: ToolRuntime[TurnContext], start: str | None = None, end: str | None = None
    ) -> tuple[str, dict[str, Any]]:
        """Volume per payer: claim lines, claims, distinct patients, billed, allowed and
        paid, share of claims and of revenue, and how payments cover cost per service."""
        from assistant.analytics.mix import MixParams
        from assistant.analytics.mix import payer_mix as analyse

        ctx = runtime.context
        filters: dict[str, Any] = {"start": start, "end": end}

        def run(conn: Any) -> tuple[str, dict[str, Any]]:
            res = analyse(conn, MixParams(period=period_from(start, end, ctx.as_of)))
            by_payer = [r.model_dump() for r in res.by_payer if visible(r.payer_id, ctx.allowed_payers)]
            by_payer.sort(key=lambda r: -r["paid"])
            data = {
                "by_payer": by_payer,
                "paid": res.paid if ctx.allowed_payers is None else None,
                "claims": res.claims,
                "patients": res.patients,
            }
            figs = []
            for r in by_payer:
                n = r["payer_name"]
                figs += [
                    figure(f"{n} paid", r["paid"], "usd"),
                    figure(f"{n} claims", r["claims"]),
                    figure(f"{n} patients", r["patients"]),
                    figure(f"{n} share of paid", r["share_of_paid"], "percent"),
                ]
            filters.update(res.filters)
            return tool_result("payer_mix", filters=filters, data=data, figures=figs, rows=res.row_count)

        return run_on_warehouse(deps, "payer_mix", filters, run, ctx.allowed_payers)

    return payer_mix
