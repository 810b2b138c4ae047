"""Find the contract language behind a finding: a ``contract_terms`` row (the term in force
on a date, with its quote, page, section and chunk id) or, for rates and clauses without
a term, the tagged chunks of the payer's contracts read by metadata from the vector store
(no embedding model needed)."""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path
from typing import Any

import duckdb

from assistant.monitor.findings import ClauseCitation
from assistant.settings import Settings

log = logging.getLogger(__name__)

CONTRACT_DOC_TYPES = ("contract", "amendment", "exhibit")
# CARC → the clause type that governs that denial reason.
CARC_CLAUSES: dict[str, str] = {
    "197": "prior_authorization", "15": "prior_authorization", "62": "prior_authorization",
    "198": "prior_authorization", "29": "timely_filing", "16": "claims_submission",
    "45": "fee_schedule",
}
_WS = re.compile(r"\s+")


def collapse(text: str) -> str:
    """Whitespace collapsed to single spaces."""
    return _WS.sub(" ", text or "").strip()


def first_sentence(text: str) -> str:
    """The chunk's first sentence after a leading heading line (a quote-sized excerpt)."""
    flat = collapse(text)
    m = re.search(r"(.+?\.)(\s|$)", flat)
    return m.group(1) if m else flat[:300]


def _code_row(text: str, code: str) -> str | None:
    """The table row of ``code`` in a fee-schedule chunk (one cell per line)."""
    lines = [x.strip() for x in text.splitlines()]
    if code not in lines:
        return None
    i = lines.index(code)
    row = [lines[i]]
    for cell in lines[i + 1:]:
        if re.fullmatch(r"[0-9A-Z]\d{3}[0-9A-Z]", cell):
            break
        row.append(cell)
    return " | ".join(c for c in row if c)


class ClauseFinder:
    """Citations for findings; the vector store is opened on first use only."""

    def __init__(self, settings: Settings, conn: duckdb.DuckDBPyConnection,
                 store: Any | None = None) -> None:
        self.settings = settings
        self.conn = conn
        self._store = store
        self._cache: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def term(self, payer_id: str, term: str, on: dt.date
             ) -> tuple[float | None, ClauseCitation | None]:
        """The value of ``term`` in force on ``on`` and the clause that states it: the
        agreement's general value, else the longest of the programs' (never a stricter
        program's: the monitor's findings are per payer, not per program)."""
        key = (payer_id, f"term:{term}")
        if key not in self._cache:
            got = self.conn.execute("""
                SELECT coalesce(effective_from, DATE '1900-01-01') AS tf, value_num,
                       value_text, source_file, page, section, chunk_id, quote,
                       coalesce(program, '') AS program
                FROM contract_terms WHERE payer_id = ? AND term = ?
                ORDER BY tf DESC, program""", [payer_id, term]).fetchall()
            self._cache[key] = [dict(zip(("tf", "v", "t", "src", "page", "section",
                                          "chunk_id", "quote", "program"), r, strict=True))
                                for r in got]
        latest: dict[str, dict[str, Any]] = {}  # per program, the row in force on ``on``
        for r in self._cache[key]:
            if r["tf"] <= on:
                latest.setdefault(r["program"], r)
        rows = list(latest.values())
        row = (next((r for r in rows if r["program"] == ""), None)
               or max(rows, key=lambda r: (r["v"] is not None, r["v"] or 0), default=None))
        if row is None:
            return None, None
        if "cite" not in row:  # built once per term row: called once per claim line
            row["cite"] = ClauseCitation(
                document=Path(row["src"] or "contract").name, page=row["page"],
                section=row["section"], chunk_id=row["chunk_id"],
                quote=collapse(row["quote"] or row["t"] or ""), term=term)
        return (float(row["v"]) if row["v"] is not None else None), row["cite"]

    def _chunks(self, payer_id: str, clause_type: str) -> list[dict[str, Any]]:
        key = (payer_id, clause_type)
        if key in self._cache:
            return self._cache[key]
        out: list[dict[str, Any]] = []
        try:
            from assistant.retrieval import build_where

            if self._store is None:
                from assistant.stores.vectors import create_vector_store

                self._store = create_vector_store(self.settings, None, check_backend=False)
            got = self._store.collection.get(
                where=build_where([payer_id], [clause_type], list(CONTRACT_DOC_TYPES), None),
                include=["documents", "metadatas"])
            for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"],
                                      strict=True):
                out.append({"chunk_id": cid, "text": doc or "", **dict(meta or {})})
        except Exception:  # the log still works without the vector store
            log.warning("clause lookup failed for %s/%s", payer_id, clause_type, exc_info=True)
        self._cache[key] = out
        return out

    @staticmethod
    def _cite(c: dict[str, Any], quote: str) -> ClauseCitation:
        return ClauseCitation(
            document=Path(str(c.get("source_path") or c.get("title") or "contract")).name,
            page=int(c.get("page_start") or 1), section=str(c.get("section") or "") or None,
            chunk_id=c["chunk_id"], quote=quote)

    def rate_clauses(self, payer_id: str, code: str, rate_from: dt.date) -> list[ClauseCitation]:
        """The fee-schedule language setting the rate of ``code`` in force from
        ``rate_from``: the schedule row (latest document in force) and the clause that puts
        that schedule in force (same document)."""
        day = rate_from.isoformat()
        chunks = [c for c in self._chunks(payer_id, "fee_schedule")
                  if str(c.get("effective_date") or "0000") <= day]
        chunks.sort(key=lambda c: (str(c.get("effective_date") or ""), c["chunk_id"]),
                    reverse=True)
        out: list[ClauseCitation] = []
        table = next((c for c in chunks if _code_row(c["text"], code)), None)
        if table is not None:
            clause = next((c for c in chunks if c.get("doc_id") == table.get("doc_id")
                           and not _code_row(c["text"], code)
                           and c["chunk_id"] != table["chunk_id"]), None)
            if clause is not None:
                out.append(self._cite(clause, first_sentence(_body(clause))))
            row = _code_row(table["text"], code) or ""
            out.append(self._cite(table, f"{first_sentence(_body(table))} "
                                         f"{row}".strip()))
        elif chunks:
            out.append(self._cite(chunks[0], first_sentence(_body(chunks[0]))))
        return out

    def denial_clauses(self, payer_id: str, carc: str | None, codes: list[str],
                       on: dt.date) -> list[ClauseCitation]:
        """The clause governing a denial reason (e.g. prior authorization for CARC 197) and,
        when the contract lists the denied codes, the list that names them."""
        ctype = CARC_CLAUSES.get(carc or "")
        if ctype is None:
            return []
        if ctype == "timely_filing":
            _, cite = self.term(payer_id, "timely_filing_days", on)
            return [cite] if cite else []
        chunks = [c for c in self._chunks(payer_id, ctype)
                  if str(c.get("effective_date") or "0000") <= on.isoformat()]
        out: list[ClauseCitation] = []
        listing = next((c for c in chunks if any(_code_row(c["text"], k) for k in codes)), None)
        clause = next((c for c in chunks if c is not listing), None)
        if clause is not None:
            out.append(self._cite(clause, first_sentence(_body(clause))))
        if listing is not None:
            rows = [r for k in codes if (r := _code_row(listing["text"], k))]
            out.append(self._cite(listing, f"{first_sentence(_body(listing))} "
                                           f"{'; '.join(rows)}".strip()))
        return out


def _body(chunk: dict[str, Any]) -> str:
    """The chunk's text after its 'Section N Heading.' lead-in (quotes start at the clause)."""
    flat = collapse(chunk["text"])
    heading = str(chunk.get("heading") or "").strip()
    idx = flat.find(f"{heading}.") if heading else -1
    if 0 <= idx < 120:
        return flat[idx + len(heading) + 1:].strip()
    return flat
