"""Tool: denial rates, top reasons (CARC) and changes in pattern."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_core.tools import BaseTool, tool
from pydantic import BaseModel, Field

from assistant.agent import ToolRuntime
from assistant.scope import Scope
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

    from assistant.periods import Period


class DenialsArgs(BaseModel):
    """Arguments of denials."""

    payer: str | None = Field(default=None, description="Payer name, alias or id; omit for all.")
    code: str | None = Field(default=None, description="One CPT/HCPCS code; omit for all.")
    codes: list[str] | None = Field(
        default=None, description="Several codes analysed together (e.g. both MRI codes)."
    )
    start: str | None = Field(default=None, description="First date of service, YYYY-MM-DD.")
    end: str | None = Field(default=None, description="Last date of service, YYYY-MM-DD.")


def _combined(
    conn: DuckDBPyConnection, payer: str | None, codes: list[str], period: Period | None,
    filters: dict[str, Any], scope: Scope,
) -> tuple[str, dict[str, Any]]:
    """Several codes as one group: lines, denials and each reason's share of the lines."""
    from assistant.analytics.denials import DenialParams, denial_analysis

    lines = denied = rows = 0
    reasons: dict[tuple[str | None, str | None], dict[str, Any]] = {}
    payer_label = None
    for c in codes:
        res = denial_analysis(conn, DenialParams(payer=payer, code=c, period=period,
                                                 within=scope.allowed))
        lines += res.lines
        denied += res.denied_lines
        rows += res.row_count
        payer_label = res.filters.get("payer_id")
        for r in res.top_reasons:
            key = (r.group_code, r.carc)
            agg = reasons.setdefault(
                key,
                {"group_code": r.group_code, "carc": r.carc, "description": r.description, "denied_lines": 0},
            )
            agg["denied_lines"] += r.denied_lines
    top = sorted(reasons.values(), key=lambda r: -r["denied_lines"])[:5]
    for row in top:
        row["share_of_denials"] = round(100 * row["denied_lines"] / denied, 1) if denied else 0.0
        row["share_of_lines"] = round(100 * row["denied_lines"] / lines, 1) if lines else 0.0
    names = names_of(conn)
    rate = round(100 * denied / lines, 1) if lines else 0.0
    data = {
        "payer": names.get(payer_label or "", payer_label),
        "code": ", ".join(codes),
        "lines": lines,
        "denied_lines": denied,
        "denial_rate": rate,
        "by_payer": [],
        "top_reasons": top,
        "changes": [],
        "combined_codes": codes,
    }
    figs = [figure("denied lines", denied), figure("lines", lines), figure("denial rate", rate, "percent")]
    figs += [figure(f"CARC {r['carc']} share of lines", r["share_of_lines"], "percent") for r in top]
    filters.update({"payer_id": payer_label, "period": period.label if period else None})
    return tool_result("denials", filters=filters, data=data, figures=figs, rows=rows)


def make_denials(deps: ToolDeps) -> BaseTool:
    """Build the denials tool."""

    @tool("denials", args_schema=DenialsArgs, response_format="content_and_artifact")
    def denials(
        runtime: ToolRuntime[TurnContext],
        payer: str | None = None,
        code: str | None = None,
        codes: list[str] | None = None,
        start: str | None = None,
        end: str | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """Denial rate by payer, code, CARC group and month; the top recurring denial
        reasons with their CARC descriptions; and quarters whose denial rate departs from
        the trailing baseline (the spike, its reason and its size)."""
        from assistant.analytics.denials import DenialParams, denial_analysis

        ctx = runtime.context
        filters: dict[str, Any] = {"payer": payer, "code": code, "codes": codes, "start": start, "end": end}
        scope = ctx.scope
        payer = payer or scope.single()

        def run(conn: DuckDBPyConnection) -> tuple[str, dict[str, Any]]:
            period = period_from(start, end, ctx.as_of)
            if codes and len(codes) > 1:
                return _combined(conn, payer, codes, period, filters, scope)
            # scoped: the analysis reads only the visible payers' lines (a SQL filter), so
            # every total below is over the caller's own payers
            res = denial_analysis(conn, DenialParams(payer=payer, code=code, period=period,
                                                     within=scope.allowed))
            names = names_of(conn)
            by_payer = [dict(r.model_dump(), payer_name=names.get(r.key, r.key)) for r in res.by_payer]
            changes = [dict(c.model_dump(), payer_name=names.get(c.payer_id, c.payer_id))
                       for c in res.changes]
            data = {
                "payer": names.get(res.filters.get("payer_id") or "", res.filters.get("payer_id")),
                "code": res.filters.get("code"),
                "lines": res.lines,
                "denied_lines": res.denied_lines,
                "denial_rate": res.denial_rate,
                "by_payer": by_payer,
                "by_code": [r.model_dump() for r in res.by_code][:8],
                "top_reasons": [r.model_dump() for r in res.top_reasons][:5],
                "by_month": [r.model_dump() for r in res.by_month],
                "changes": changes[:5],
            }
            figs = [figure("denied lines", data["denied_lines"]), figure("lines", data["lines"])]
            figs.append(figure("denial rate", res.denial_rate, "percent"))
            for r in by_payer:
                figs.append(figure(f"{r['payer_name']} denial rate", r["denial_rate"], "percent"))
            for c in changes[:5]:
                figs.append(
                    figure(f"{c['payer_name']} {c['quarter']} CARC {c['carc']}{_on(c['codes'])} rate",
                           c["rate"], "percent")
                )
                figs.append(figure(f"{c['payer_name']}{_on(c['codes'])} baseline rate", c["baseline_rate"],
                                   "percent"))
            filters.update(res.filters)
            return tool_result("denials", filters=filters, data=data, figures=figs, rows=res.row_count)

        return run_on_warehouse(deps, "denials", filters, run, scope)

    return denials


def _on(codes: list[str] | None) -> str:
    """' on 72148, 73721' for a change limited to some codes, else ''."""
    return f" on {', '.join(codes)}" if codes else ""
