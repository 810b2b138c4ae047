"""Tool: the contract terms extracted at ingestion (notice days, filing limits, ...)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.tools import BaseTool, tool
from pydantic import BaseModel, Field

from assistant.agent import ToolRuntime
from assistant.errors import ParleyError
from assistant.scope import EVERYONE, Scope
from assistant.spans import term_fields
from assistant.tools.base import (
    ToolDeps,
    TurnContext,
    error_result,
    figure,
    tool_result,
)
from assistant.vocabulary import TERM_KEYS

if TYPE_CHECKING:
    from assistant.retrieval import Hit

SQL = """
SELECT t.contract_id, t.payer_id, t.term, t.value_num, t.value_text, t.effective_from,
       t.source_file, t.page, t.section, t.chunk_id, t.quote, coalesce(t.program, '') AS program
FROM contract_terms t
WHERE (t.effective_from IS NULL OR t.effective_from <= ?)
  AND (? IS NULL OR t.payer_id = ?)
  AND (t.chunk_id IS NULL OR NOT list_contains(?::VARCHAR[], t.chunk_id))
  AND list_contains(coalesce(?::VARCHAR[], [t.payer_id]), t.payer_id)
QUALIFY row_number() OVER (
    PARTITION BY t.payer_id, t.term, coalesce(t.program, '')
    ORDER BY t.effective_from DESC NULLS LAST) = 1
ORDER BY t.payer_id, t.term, coalesce(t.program, '')
"""
# Program words a caller may use for the stored program names (ingest/programs.py).
PROGRAM_ALIASES = {"ma": "medicare advantage", "medicare": "medicare advantage",
                   "marketplace": "exchange", "aca": "exchange", "qhp": "exchange"}


class ContractTermsArgs(BaseModel):
    """Arguments of contract_terms."""

    payer: str | None = Field(default=None, description="Payer name, alias or id; omit for all.")
    terms: list[str] | None = Field(
        default=None, description="Term keys to return (omit for all): " + ", ".join(TERM_KEYS)
    )
    program: str | None = Field(
        default=None,
        description="Program (line of business): Medicaid, Medicare Advantage, CHIP, Exchange, "
        "Commercial; omit for every program's value.",
    )


def pick_program(rows: list[dict[str, Any]], program: str | None) -> list[dict[str, Any]]:
    """Per payer and term: the asked program's value, else the general one (program ""),
    else every program's value (each labelled). Without a program, all rows."""
    if not program:
        return rows
    want = PROGRAM_ALIASES.get(program.strip().lower(), program.strip().lower())
    groups: dict[tuple[Any, str], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["payer_id"], r["term"]), []).append(r)
    out: list[dict[str, Any]] = []
    for group in groups.values():
        exact = [r for r in group if (r.get("program") or "").lower() == want]
        general = [r for r in group if not r.get("program")]
        out.extend(exact or general or group)
    return out


def query_terms(
    conn: Any, as_of: Any, payer_id: str | None, exclude_chunks: list[str] | None = None,
    scope: Scope = EVERYONE,
) -> list[dict[str, Any]]:
    """Terms in force on ``as_of`` (amendments applied), one row per payer and term; rows
    stated by ``exclude_chunks`` (flagged passages) are passed over for the next one; only
    the payers ``scope`` may see are read."""
    cur = conn.execute(SQL, [as_of, payer_id, payer_id, list(exclude_chunks or []), scope.allowed])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _citations(deps: ToolDeps, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chunk behind each term, as a citation (text included for quote checks)."""
    from assistant.tools.contract_search import short_ref

    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        cid = r.get("chunk_id")
        if not cid or cid in out:
            continue
        hit = deps.retriever.get_chunk(cid)
        if hit is None:
            continue
        out[cid] = {
            "ref": short_ref(cid),
            "chunk_id": cid,
            "document": hit.title or Path(hit.source_path).name,
            "source_path": hit.source_path,
            "payer_id": hit.payer_id,
            "payer_name": r["payer_name"],
            "doc_type": hit.doc_type,
            "page": hit.page_start,
            "page_end": hit.page_end,
            "section": hit.section,
            "heading": hit.heading,
            "text": hit.text,
            **term_fields(hit, r.get("quote")),
        }
    return list(out.values())


def _suspicious(deps: ToolDeps, chunk_id: str) -> bool:
    hit: Hit | None = deps.retriever.get_chunk(chunk_id)
    return hit is not None and hit.suspicious


def _unflagged_terms(deps: ToolDeps, conn: Any, as_of: Any, payer_id: str | None,
                     scope: Scope) -> list[dict]:
    """``query_terms`` with every row from a chunk flagged ``suspicious`` (text addressed to
    an AI) replaced by the next row in force: a flagged passage is never a figure."""
    flagged: list[str] = []
    for _ in range(5):
        rows = query_terms(conn, as_of, payer_id, flagged, scope)
        new = [r["chunk_id"] for r in rows if r.get("chunk_id") and _suspicious(deps, r["chunk_id"])]
        if not new:
            return rows
        flagged += new
    return [r for r in rows if r.get("chunk_id") not in flagged]


def make_contract_terms(deps: ToolDeps) -> BaseTool:
    """Build the contract_terms tool bound to the warehouse."""

    @tool("contract_terms", args_schema=ContractTermsArgs, response_format="content_and_artifact")
    def contract_terms(
        runtime: ToolRuntime[TurnContext],
        payer: str | None = None,
        terms: list[str] | None = None,
        program: str | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """Contract terms in force as of today (amendments applied): notice of non-renewal,
        termination without cause notice, timely filing, clean-claim payment days, prompt-pay
        interest, appeal window, MFN present, fee-schedule basis, payer amendment notice.
        Each term comes with the document, page, section and quote that states it, and the
        program it applies to ("" = the whole agreement); pass ``program`` for one program.
        """
        ctx = runtime.context
        filters: dict[str, Any] = {"payer": payer, "terms": terms, "as_of": ctx.as_of,
                                   "program": program}
        try:
            vocab = deps.vocabulary()
            payer_id = ctx.scope.resolve_optional(vocab, payer)
        except ParleyError as exc:
            return error_result("contract_terms", ctx.scope.message(exc), filters)
        conn = deps.connect()
        try:
            rows = _unflagged_terms(deps, conn, ctx.as_of, payer_id, ctx.scope)
        finally:
            conn.close()
        wanted = [t for t in (terms or []) if t in TERM_KEYS] or None
        rows = [
            r
            for r in rows
            if wanted is None or r["term"] in wanted
        ]
        rows = pick_program(rows, program)
        figs = []
        for r in rows:
            r["payer_name"] = vocab.payer_name(r["payer_id"])
            r["label"] = TERM_KEYS[r["term"]].label if r["term"] in TERM_KEYS else r["term"]
            if r.get("program"):
                r["label"] += f" ({r['program']})"
            r["unit"] = TERM_KEYS[r["term"]].unit if r["term"] in TERM_KEYS else None
            value = r["value_num"] if r["value_num"] is not None else r["value_text"]
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            r["value"] = value
            figs.append(figure(f"{r['payer_name']} {r['label']}", value, r["unit"]))
        filters["payer"] = payer_id
        return tool_result(
            "contract_terms",
            filters=filters,
            data=rows,
            figures=figs,
            citations=_citations(deps, rows),
            rows=len(rows),
        )

    return contract_terms
