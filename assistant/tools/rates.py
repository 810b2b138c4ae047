"""Tool: contracted rates per code across payers, vs. Medicare, with the annual gap."""

from __future__ import annotations

from typing import Any

from langchain_core.tools import BaseTool, tool
from pydantic import BaseModel, Field

from assistant.agent import ToolRuntime
from assistant.errors import ParleyError
from assistant.scope import NOT_AVAILABLE, SCOPED_NOTE, Scope
from assistant.tools.base import (
    ToolDeps,
    TurnContext,
    error_result,
    figure,
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


def scope_rate_rows(rows: list[dict[str, Any]], peers: list[dict[str, Any]], scope: Scope,
                    *, peer_target: bool) -> list[str]:
    """Rewrite a scoped caller's rate rows in place so that other payers appear only as the
    peer aggregate (median and count over at least three payers outside ``allowed``): no
    rank, and with ``peer_target`` the target and gap are the peer median's, not the best
    payer's. Returns the notes to show (what is not available at this scope)."""
    by_code: dict[str, dict[str, float]] = {}
    for p in peers:
        by_code.setdefault(p["code"], {})[p["payer_id"]] = p["rate"]
    missing: list[str] = []
    for r in rows:
        agg = scope.peer_aggregate(by_code.get(r["code"], {}))
        r["rank"] = r["payers_ranked"] = None
        r["peer_median"] = agg["median"] if agg else None
        r["peer_count"] = agg["count"] if agg else None
        if agg is None:
            missing.append(r["code"])
        if peer_target:
            r["target_rate"] = agg["median"] if agg else None
            r["annual_gap"] = (round(max(0.0, agg["median"] - r["rate"]) * r["annual_units"], 2)
                               if agg else None)
    notes = [SCOPED_NOTE]
    if missing:
        notes.append(f"{NOT_AVAILABLE[:-1]}: {', '.join(sorted(set(missing)))}.")
    return notes


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
            peers: list[dict[str, Any]] = []
            row_count = 0
            result_filters: dict[str, Any] = {}
            scope = ctx.scope
            scoped = scope.scoped
            # the payer argument is resolved in the caller's scope first (a hidden or
            # unknown payer is refused alike); a scoped caller's rows are computed per
            # visible payer, and other payers only feed the peer aggregate
            # (assistant.scope), never a row, a rank or a gap to the best
            focus = scope.resolve_optional(vocab, payer)
            known = {p.payer_id for p in vocab.payers}
            asked: list[str | None] = ([focus] if focus or not scoped else
                                       [p for p in scope.allowed or [] if p in known])
            for code in wanted:
                for who in asked:
                    params = RateParams(
                        as_of=ctx.as_of,
                        payer=who,
                        code=code,
                        target="medicare_pct" if target_medicare_pct else "best_payer",
                        target_medicare_pct=target_medicare_pct or 100.0,
                    )
                    res = compare_rates(conn, params)
                    result_filters = res.filters
                    row_count += res.row_count
                    rows.extend(r.model_dump() for r in res.rows)
                if scoped:
                    everyone = compare_rates(conn, RateParams(as_of=ctx.as_of, code=code))
                    peers.extend(r.model_dump() for r in everyone.rows)
            from assistant.analytics.rate_sources import payer_rules
            from assistant.stores.fee_sources import medicare_needs

            rules = payer_rules(conn, focus)
            needs = medicare_needs(conn, focus)
        except ParleyError as exc:
            return error_result("rate_comparison", ctx.scope.message(exc), filters)
        finally:
            conn.close()
        notes = list(needs)
        if ctx.scope.scoped:
            rows = ctx.scope.keep(rows, lambda r: r["payer_id"])
            rules = ctx.scope.keep(rules, lambda r: r["payer_id"])
            needs = ctx.scope.keep(needs, lambda n: n.split(":", 1)[0])
            notes = list(needs) + scope_rate_rows(rows, peers, ctx.scope,
                                                  peer_target=not target_medicare_pct)
        total_gap = sum(r["annual_gap"] or 0.0 for r in rows)
        rows = rows[:MAX_ROWS]
        citations = rate_citations(rows)
        figs = [figure(f"{r['payer_name']} {r['code']} rate", r["rate"], "usd") for r in rows]
        figs += [
            figure(f"{r['payer_name']} {r['code']} % of Medicare", r["pct_of_medicare"], "percent")
            for r in rows
            if r["pct_of_medicare"] is not None
        ]
        if payer:
            label = ("annual gap to the median of other payers"
                     if ctx.scope.scoped and not target_medicare_pct
                     else "annual gap to target")
            figs.append(figure(label, round(total_gap, 2), "usd"))
        filters.update({k: v for k, v in result_filters.items() if k not in ("code",)})
        return tool_result(
            "rate_comparison",
            filters=filters,
            data={"rows": rows, "total_gap": round(total_gap, 2), "focus_payer": payer,
                  "rules": rules, "medicare_needed": needs},
            figures=figs,
            citations=citations,
            rows=row_count,
            note=" ".join(notes) or None,
        )

    return rate_comparison
