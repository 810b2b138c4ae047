"""Tool: days to pay vs. the contract's clean-claim days, and prompt-pay interest owed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_core.tools import BaseTool, tool
from pydantic import BaseModel, Field

from assistant.agent import ToolRuntime
from assistant.tools.base import (
    ToolDeps,
    TurnContext,
    figure,
    names_of,
    run_on_warehouse,
    tool_result,
)
from assistant.tools.periods import period_from

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection


class TimelinessArgs(BaseModel):
    """Arguments of payment_timeliness."""

    payer: str | None = Field(default=None, description="Payer name, alias or id; omit for all.")
    start: str | None = Field(default=None, description="First claim-received date, YYYY-MM-DD.")
    end: str | None = Field(default=None, description="Last claim-received date, YYYY-MM-DD.")


def make_payment_timeliness(deps: ToolDeps) -> BaseTool:
    """Build the payment_timeliness tool."""

    @tool("payment_timeliness", args_schema=TimelinessArgs, response_format="content_and_artifact")
    def payment_timeliness(
        runtime: ToolRuntime[TurnContext],
        payer: str | None = None,
        start: str | None = None,
        end: str | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """Days from claim receipt to payment per payer (mean, median, 90th percentile),
        the share of claims paid later than the contract's clean-claim days, and the
        prompt-pay interest owed where the contract states a rate."""
        from assistant.analytics.timeliness import TimelinessParams
        from assistant.analytics.timeliness import payment_timeliness as analyse

        ctx = runtime.context
        filters: dict[str, Any] = {"payer": payer, "start": start, "end": end}
        payer = payer or ctx.scope.single()

        def run(conn: DuckDBPyConnection) -> tuple[str, dict[str, Any]]:
            res = analyse(conn, TimelinessParams(payer=payer, period=period_from(start, end, ctx.as_of),
                                                 within=ctx.scope.allowed))
            names = names_of(conn)
            by_payer = [dict(r.model_dump(), payer_name=names.get(r.payer_id, r.payer_id))
                        for r in res.by_payer]
            by_payer.sort(key=lambda r: -r["share_late"])
            data = {
                "payer": names.get(res.filters.get("payer_id") or "", None),
                "by_payer": by_payer,
                "claims": sum(r["claims"] for r in by_payer),
                "late_claims": sum(r["late_claims"] for r in by_payer),
                "interest_owed": round(sum(r["interest_owed"] for r in by_payer), 2),
                "interest_paid": round(sum(r["interest_paid"] for r in by_payer), 2),
                "interest_outstanding": round(sum(r["interest_outstanding"] for r in by_payer), 2),
            }
            figs = []
            for r in by_payer:
                n = r["payer_name"]
                figs += [
                    figure(f"{n} share paid late", r["share_late"], "percent"),
                    figure(f"{n} late claims", r["late_claims"]),
                    figure(f"{n} median days to pay", r["p50_days"], "days"),
                    figure(f"{n} clean-claim days", r["clean_claim_days"], "days"),
                    figure(f"{n} interest owed", r["interest_owed"], "usd"),
                ]
                if r["interest_paid"]:
                    figs += [figure(f"{n} interest already paid on remittances", r["interest_paid"], "usd"),
                             figure(f"{n} interest outstanding", r["interest_outstanding"], "usd")]
            filters.update(res.filters)
            return tool_result(
                "payment_timeliness", filters=filters, data=data, figures=figs, rows=res.row_count
            )

        return run_on_warehouse(deps, "payment_timeliness", filters, run, ctx.scope)

    return payment_timeliness
