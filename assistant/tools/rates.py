"""Tool: contracted rates per code across payers, vs. Medicare, with the annual gap."""

from __future__ import annotations

from typing import Any

from langchain.tools import ToolRuntime
from langchain_core.tools import BaseTool, tool
from pydantic import BaseModel, Field

from assistant.errors import ParleyError
from assistant.tools.base import (
    ToolDeps,
    TurnContext,
    error_result,
    figure,
    scoped_message,
    tool_result,
)

MAX_ROWS = 60


class RateComparisonArgs(BaseModel):
    """Arguments of rate_comparison."""

    codes: list[str] | None = Field(default=None, description="CPT/HCPCS codes, e.g. ['99213'].")
    code_group: str | None = Field(
        default=None, description="A code group instead of codes: E/M, imaging, surgery, therapy, lab."
    )
    payer: str | None = Field(default=None, description="Payer to focus on (all payers are ranked).")
    target_medicare_pct: float | None = Field(
        default=None, description="Measure the gap to this % of Medicare instead of the best payer."
    )


def rate_citations(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One citation per distinct rate source (contract exhibit row, rule, CSV line); each
    row gets ``source_ref``, the [Sxxxxxx] token that cites it."""
    import hashlib

    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        src = r.get("source")
        if not src:
            continue
        key = f"{src['file']}|{src.get('page')}|{src['citation']}"
        ref = "S" + hashlib.sha256(key.encode()).hexdigest()[:6]
        r["source_ref"] = ref
        out.setdefault(ref, {
            "ref": ref, "chunk_id": None, "document": src["file"], "source_path": None,
            "payer_id": r["payer_id"], "payer_name": r.get("payer_name"),
            "doc_type": "fee_schedule" if src["origin"] == "csv" else "contract",
            "page": src.get("page"), "page_end": src.get("page"), "section": src.get("section"),
            "heading": src.get("basis") or None,
            "quote": src.get("quote") or src["citation"], "text": src["citation"]})
    return list(out.values())


def make_rate_comparison(deps: ToolDeps) -> BaseTool:
    """Build the rate_comparison tool."""

    @tool("rate_comparison", args_schema=RateComparisonArgs, response_format="content_and_artifact")
    def rate_comparison(
        runtime: ToolRuntime[TurnContext],
        codes: list[str] | None = None,
        code_group: str | None = None,
        payer: str | None = None,
        target_medicare_pct: float | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """Contracted rate per code for every payer in force today, % of Medicare, rank
        among payers, and the volume-weighted annual revenue gap to the best payer (or to a
        target % of Medicare)."""
        from assistant.analytics.rates import RateParams, compare_rates
        from assistant.analytics.vocabulary import Vocabulary

        ctx = runtime.context
        filters: dict[str, Any] = {
            "codes": codes,
            "code_group": code_group,
            "payer": payer,
            "target_medicare_pct": target_medicare_pct,
        }
        conn = deps.connect()
        try:
            vocab = Vocabulary.load(conn)
            wanted: list[str | None]
            if codes:
                wanted = [vocab.resolve_code(c) for c in codes]
            elif code_group:
                wanted = list(vocab.codes_in_category(code_group)) or [None]
            else:
                wanted = [None]
            rows: list[dict[str, Any]] = []
            row_count = 0
            total_gap = 0.0
            result_filters: dict[str, Any] = {}
            for code in wanted:
                params = RateParams(
                    as_of=ctx.as_of,
                    payer=payer,
                    code=code,
                    target="medicare_pct" if target_medicare_pct else "best_payer",
                    target_medicare_pct=target_medicare_pct or 100.0,
                )
                res = compare_rates(conn, params)
                result_filters = res.filters
                row_count += res.row_count
                total_gap += res.total_gap
                rows.extend(r.model_dump() for r in res.rows)
            from assistant.analytics.rate_sources import payer_rules
            from assistant.stores.fee_sources import medicare_needs

            focus = vocab.resolve_payer(payer) if payer else None
            rules = payer_rules(conn, focus)
            needs = medicare_needs(conn, focus)
        except ParleyError as exc:
            return error_result("rate_comparison", scoped_message(exc, ctx.allowed_payers), filters)
        finally:
            conn.close()
        if ctx.allowed_payers is not None:
            rows = [r for r in rows if r["payer_id"] in ctx.allowed_payers]
            rules = [r for r in rules if r["payer_id"] in ctx.allowed_payers]
            needs = [n for n in needs if n.split(":", 1)[0] in ctx.allowed_payers]
        rows = rows[:MAX_ROWS]
        citations = rate_citations(rows)
        figs = [figure(f"{r['payer_name']} {r['code']} rate", r["rate"], "usd") for r in rows]
        figs += [
            figure(f"{r['payer_name']} {r['code']} % of Medicare", r["pct_of_medicare"], "percent")
            for r in rows
            if r["pct_of_medicare"] is not None
        ]
        if payer:
            figs.append(figure("annual gap to target", round(total_gap, 2), "usd"))
        filters.update({k: v for k, v in result_filters.items() if k not in ("code",)})
        return tool_result(
            "rate_comparison",
            filters=filters,
            data={"rows": rows, "total_gap": round(total_gap, 2), "focus_payer": payer,
                  "rules": rules, "medicare_needed": needs},
            figures=figs,
            citations=citations,
            rows=row_count,
            note=" ".join(needs) or None,
        )

    return rate_comparison
