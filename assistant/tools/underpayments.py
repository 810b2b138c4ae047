"""Tool: paid vs. contracted — underpaid claim lines, totals and when a pattern began."""

from __future__ import annotations

from typing import Any

from langchain_core.tools import BaseTool, tool
from pydantic import BaseModel, Field

from assistant.agent import ToolRuntime
from assistant.errors import ParleyError
from assistant.tools.base import (
    ToolDeps,
    TurnContext,
    error_result,
    figure,
    tool_result,
)
from assistant.tools.periods import period_from


class UnderpaymentsArgs(BaseModel):
    """Arguments of underpayments."""

    payer: str | None = Field(default=None, description="Payer name, alias or id; omit for all.")
    code: str | None = Field(default=None, description="One CPT/HCPCS code; omit for all.")
    start: str | None = Field(default=None, description="First date of service, YYYY-MM-DD.")
    end: str | None = Field(default=None, description="Last date of service, YYYY-MM-DD.")


def _pattern_rates(lines: list[Any], pattern: dict[str, Any]) -> dict[str, Any]:
    """The usual contract rate and allowed amount per unit on a pattern's underpaid lines."""
    from collections import Counter

    mine = [
        ln
        for ln in lines
        if ln.payer_id == pattern["payer_id"]
        and ln.code == pattern["code"]
        and ln.units
        and ln.allowed is not None
    ]
    if not mine:
        return {}
    contract = Counter(round(ln.expected / ln.units, 2) for ln in mine).most_common(1)[0][0]
    allowed = Counter(round(ln.allowed / ln.units, 2) for ln in mine).most_common(1)[0][0]
    return {"contract_rate": contract, "allowed_rate": allowed}


def make_underpayments(deps: ToolDeps) -> BaseTool:
    """Build the underpayments tool."""

    @tool("underpayments", args_schema=UnderpaymentsArgs, response_format="content_and_artifact")
    def underpayments(
        runtime: ToolRuntime[TurnContext],
        payer: str | None = None,
        code: str | None = None,
        start: str | None = None,
        end: str | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """Compare each paid claim line with the contract rate in force on its date of
        service (amendments respected): lines paid below contract, total short per payer,
        code and month, and the date an underpayment pattern began. Aggregates only; no
        patient data."""
        from assistant.analytics.variance import VarianceParams, reimbursement_variance

        ctx = runtime.context
        filters: dict[str, Any] = {"payer": payer, "code": code, "start": start, "end": end}
        payer = payer or ctx.scope.single()
        conn = deps.connect()
        try:
            period = period_from(start, end, ctx.as_of)
            # scoped: only the visible payers' lines are read (a SQL filter), so every total
            # below is over the caller's own payers
            res = reimbursement_variance(conn, VarianceParams(payer=payer, code=code, period=period,
                                                              within=ctx.scope.allowed))
            from assistant.analytics.common import payer_names

            names = payer_names(conn)
        except ParleyError as exc:
            return error_result("underpayments", ctx.scope.message(exc), filters)
        finally:
            conn.close()
        by_payer = [t.model_dump() for t in res.by_payer]
        patterns = [p.model_dump() for p in res.patterns]
        sources = {(r.payer_id, r.code or "", r.effective_from): r.model_dump()
                   for r in res.rate_sources}
        for p in patterns:
            p["payer_name"] = names.get(p["payer_id"], p["payer_id"])
            p.update(_pattern_rates(res.lines, p))
            src = sources.get((p["payer_id"], p["code"], p["rate_effective_from"]))
            if src is None:  # a percent-of-billed rule covers every code of the payer
                src = sources.get((p["payer_id"], "", p["rate_effective_from"]))
            p["rate_source"] = src
        for t in by_payer:
            t["payer_name"] = names.get(t["key"], t["key"])
        total_short, underpaid = res.total_short, res.underpaid_lines
        data = {
            "payer": names.get(res.filters.get("payer_id") or "", res.filters.get("payer_id")),
            "code": res.filters.get("code"),
            "lines_compared": res.lines_compared,
            "underpaid_lines": underpaid,
            "total_short": total_short,
            "total_expected": res.total_expected,
            "total_allowed": res.total_allowed,
            "total_paid": res.total_paid,
            "by_payer": by_payer,
            "by_code": [t.model_dump() for t in res.by_code][:10],
            "by_month": [t.model_dump() for t in res.by_month],
            "patterns": patterns,
            "lines_without_contract_rate": res.lines_without_contract_rate,
        }
        figs = [
            figure("underpaid lines", underpaid),
            figure("total short", total_short, "usd"),
            figure("lines compared", res.lines_compared),
        ]
        for p in patterns:
            figs.append(figure(f"{p['payer_name']} {p['code']} pattern start", p["start_date"]))
            figs.append(
                figure(
                    f"{p['payer_name']} {p['code']} % below contract", p["mean_pct_below_contract"], "percent"
                )
            )
        filters.update(res.filters)
        from assistant.tools.rates import rate_citations

        cited = [{"payer_id": p["payer_id"], "payer_name": p["payer_name"], "source": p["rate_source"]}
                 for p in patterns if p.get("rate_source")]
        citations = rate_citations(cited)
        for p, c in zip([p for p in patterns if p.get("rate_source")], cited, strict=True):
            p["rate_source_ref"] = c.get("source_ref")
        data["rate_sources"] = list(sources.values())[:20]
        return tool_result(
            "underpayments", filters=filters, data=data, figures=figs, rows=res.row_count,
            citations=citations,
        )

    return underpayments
