"""Tool: claims, patients and revenue per payer, share of the practice, cost coverage."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from langchain_core.tools import BaseTool, tool
from pydantic import BaseModel, Field

from assistant.agent import ToolRuntime
from assistant.scope import NOT_AVAILABLE
from assistant.tools.base import (
    ToolDeps,
    TurnContext,
    figure,
    run_on_warehouse,
    tool_result,
)
from assistant.tools.periods import period_from

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection


class PayerMixArgs(BaseModel):
    """Arguments of payer_mix."""

    start: str | None = Field(default=None, description="First date of the period, YYYY-MM-DD.")
    end: str | None = Field(default=None, description="Last date of the period, YYYY-MM-DD.")
    by: Literal["service", "payment"] = Field(
        default="service",
        description="'payment': money received in the period by payment date (what a payer paid "
        "us in March); 'service': volume and revenue by date of service.",
    )
    payer: str | None = Field(default=None, description="With by='payment': one payer only.")


def make_payer_mix(deps: ToolDeps) -> BaseTool:
    """Build the payer_mix tool."""

    @tool("payer_mix", args_schema=PayerMixArgs, response_format="content_and_artifact")
    def payer_mix(
        runtime: ToolRuntime[TurnContext], start: str | None = None, end: str | None = None,
        by: Literal["service", "payment"] = "service", payer: str | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """Volume per payer: claim lines, claims, distinct patients, billed, allowed and
        paid, share of claims and of revenue, and how payments cover cost per service
        (period = dates of service). With by='payment': the money each payer paid us in
        the period by payment date (835 payment date, else the claims file's paid date)."""
        from assistant.analytics.mix import MixParams
        from assistant.analytics.mix import payer_mix as analyse

        ctx = runtime.context
        if by == "payment":
            return _receipts(deps, ctx, start, end, payer)
        filters: dict[str, Any] = {"start": start, "end": end}

        def run(conn: DuckDBPyConnection) -> tuple[str, dict[str, Any]]:
            # scoped: the analytics read only the visible payers' rows; practice shares come
            # back only when the hidden payers are enough to aggregate over (assistant.scope)
            res = analyse(conn, MixParams(period=period_from(start, end, ctx.as_of),
                                          within=ctx.scope.allowed))
            totals = res.shares_shown
            by_payer = sorted((r.model_dump() for r in res.by_payer), key=lambda r: -r["paid"])
            practice = not ctx.scope.scoped
            data = {
                "by_payer": by_payer,
                "paid": res.paid if practice else None,
                "claims": res.claims if practice else None,
                "patients": res.patients if practice else None,
            }
            figs = []
            for r in by_payer:
                n = r["payer_name"]
                figs += [
                    figure(f"{n} paid", r["paid"], "usd"),
                    figure(f"{n} claims", r["claims"]),
                    figure(f"{n} patients", r["patients"]),
                ]
                if r["share_of_paid"] is not None:
                    figs.append(figure(f"{n} share of paid", r["share_of_paid"], "percent"))
            filters.update(res.filters)
            return tool_result("payer_mix", filters=filters, data=data, figures=figs, rows=res.row_count,
                               note=None if totals else NOT_AVAILABLE)

        return run_on_warehouse(deps, "payer_mix", filters, run, ctx.scope)

    return payer_mix


def _receipts(deps: ToolDeps, ctx: TurnContext, start: str | None, end: str | None,
              payer: str | None) -> tuple[str, dict[str, Any]]:
    """payer_mix by='payment': payments received in the period, by payment date."""
    from assistant.analytics.mix import ReceiptsParams, payments_received

    filters: dict[str, Any] = {"start": start, "end": end, "by": "payment", "payer": payer}

    def run(conn: DuckDBPyConnection) -> tuple[str, dict[str, Any]]:
        res = payments_received(conn, ReceiptsParams(
            period=period_from(start, end, ctx.as_of), payer=payer, within=ctx.scope.allowed))
        by_payer = [r.model_dump() for r in res.by_payer]
        figs = []
        for r in by_payer:
            figs.append(figure(f"{r['payer_name']} paid by payment date", r["paid"], "usd"))
            if r["remitted"] is not None:
                figs.append(figure(f"{r['payer_name']} remitted (835 totals)", r["remitted"], "usd"))
        data = {"basis": "payment", "by_payer": by_payer, "payer": res.filters.get("payer_id"),
                "paid": round(sum(r["paid"] for r in by_payer), 2) if len(by_payer) > 1 else None}
        filters.update(res.filters)
        return tool_result("payer_mix", filters=filters, data=data, figures=figs, rows=res.row_count)

    return run_on_warehouse(deps, "payer_mix", filters, run, ctx.scope)
