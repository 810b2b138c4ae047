"""Tool: what walking away from a payer would cost — revenue and patients at risk."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_core.tools import BaseTool, tool
from pydantic import BaseModel, Field

from assistant.agent import ToolRuntime
from assistant.errors import InputError
from assistant.scope import NOT_AVAILABLE
from assistant.tools.base import ToolDeps, TurnContext, figure, names_of, run_on_warehouse, tool_result

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection


class WalkawayArgs(BaseModel):
    """Arguments of walkaway."""

    payer: str | None = Field(default=None, description="The payer whose contract would end.")
    retention_pct: float | None = Field(
        default=None,
        ge=0,
        le=100,
        description="Percent of that payer's patients we keep through other payers or self-pay.",
    )


def make_walkaway(deps: ToolDeps) -> BaseTool:
    """Build the walkaway tool."""

    @tool("walkaway", args_schema=WalkawayArgs, response_format="content_and_artifact")
    def walkaway(
        runtime: ToolRuntime[TurnContext], payer: str | None = None, retention_pct: float | None = None
    ) -> tuple[str, dict[str, Any]]:
        """Walk-away impact if the payer's contract ends: annual revenue, patients and claims
        with the payer, share of practice revenue, revenue retained under the retention
        assumption, revenue and margin lost."""
        from assistant.analytics.walkaway import WalkawayParams, walkaway_impact

        ctx = runtime.context
        filters: dict[str, Any] = {"payer": payer, "retention_pct": retention_pct}

        def run(conn: DuckDBPyConnection) -> tuple[str, dict[str, Any]]:
            if not payer:
                raise InputError("Name the payer to model walking away from.")
            # resolved in the caller's scope first: nothing is computed for a payer it may not see
            payer_id = ctx.scope.resolve_payer(deps.vocabulary(), payer)
            params = WalkawayParams(
                payer=payer_id, as_of=ctx.as_of, retention_share=(retention_pct or 0.0) / 100
            )
            res = walkaway_impact(conn, params)
            name = names_of(conn).get(res.payer_id, res.payer_id)
            data = dict(res.model_dump(), payer_name=name)
            data["retention_pct"] = round(res.retention_share * 100, 1)
            figs = [
                figure("annual revenue", res.annual_revenue, "usd"),
                figure("share of practice revenue", res.share_of_revenue, "percent"),
                figure("patients", res.patients),
                figure("revenue lost", res.revenue_lost, "usd"),
                figure("margin lost", res.margin_lost, "usd"),
            ]
            billing = [r[0] for r in conn.execute("SELECT DISTINCT payer_id FROM claim_lines").fetchall()]
            if not ctx.scope.enough_peers(billing):
                # the practice total minus this payer would be one or two hidden payers' revenue
                data["practice_annual_revenue"] = data["share_of_revenue"] = None
                figs = [f for f in figs if f["label"] != "share of practice revenue"]
                note = NOT_AVAILABLE
            else:
                note = None
            filters.update(res.filters)
            return tool_result("walkaway", filters=filters, data=data, figures=figs, rows=res.row_count,
                               note=note)

        return run_on_warehouse(deps, "walkaway", filters, run, ctx.scope)

    return walkaway
