"""Tool: renewal, notice and preparation deadlines per contract, with days left."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_core.tools import BaseTool, tool
from pydantic import BaseModel, Field

from assistant.agent import ToolRuntime
from assistant.tools.base import (
    ToolDeps,
    TurnContext,
    figure,
    run_on_warehouse,
    tool_result,
)

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection


class DeadlinesArgs(BaseModel):
    """Arguments of deadlines."""

    window_days: int | None = Field(
        default=None, ge=1, le=3650, description="Only deadlines within this many days."
    )
    payer: str | None = Field(default=None, description="Payer name, alias or id; omit for all.")


def make_deadlines(deps: ToolDeps) -> BaseTool:
    """Build the deadlines tool."""

    @tool("deadlines", args_schema=DeadlinesArgs, response_format="content_and_artifact")
    def deadlines(
        runtime: ToolRuntime[TurnContext], window_days: int | None = None, payer: str | None = None
    ) -> tuple[str, dict[str, Any]]:
        """From the extracted contract terms: each contract's expiration and renewal date,
        the notice-of-non-renewal deadline and days left, when to start preparing the next
        negotiation, and the termination-without-cause notice period."""
        from assistant.analytics.deadlines import DeadlineParams, contract_deadlines

        ctx = runtime.context
        filters: dict[str, Any] = {"window_days": window_days, "payer": payer}

        def run(conn: DuckDBPyConnection) -> tuple[str, dict[str, Any]]:
            res = contract_deadlines(
                conn,
                DeadlineParams(
                    as_of=ctx.as_of,
                    payer=payer,
                    within_days=window_days,
                    prep_lead_days=deps.settings.prep_lead_days,
                    within=ctx.scope.allowed,
                ),
            )
            names = dict(conn.execute("SELECT payer_id, name FROM payers").fetchall())
            rows = [
                dict(c.model_dump(), payer_name=names.get(c.payer_id or "", c.payer_id or c.contract_id))
                for c in res.contracts
            ]
            rows.sort(
                key=lambda r: (r["days_until_notice_deadline"] is None, r["days_until_notice_deadline"] or 0)
            )
            figs = []
            for r in rows:
                if r["days_until_notice_deadline"] is not None:
                    figs.append(
                        figure(
                            f"{r['payer_name']} days to notice deadline",
                            r["days_until_notice_deadline"],
                            "days",
                        )
                    )
            filters.update(res.filters)
            return tool_result(
                "deadlines",
                filters=filters,
                data={"contracts": rows, "as_of": ctx.as_of},
                figures=figs,
                rows=res.row_count,
            )

        return run_on_warehouse(deps, "deadlines", filters, run, ctx.scope)

    return deadlines
