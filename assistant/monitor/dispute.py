"""``draft_dispute``: the letter / appeal packet for a payer's open underpayment and
late-payment findings — claim lines, totals, the contract language quoted with section and
page, interest owed, the appeal deadline computed from the contract's appeal window, and a
polite, firm request. The words are in ``prompts/dispute.md``; this module gathers facts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from assistant.analytics.common import money
from assistant.errors import InputError, NotFoundError
from assistant.monitor.due import next_appeal_deadline
from assistant.monitor.findings import OPEN_STATUSES, ClauseCitation, EvidenceLine, Finding
from assistant.settings import Settings

FORMATS = ("md", "docx", "pdf")
DISPUTABLE = ("underpayment", "late_payment")


class DisputeDraft(BaseModel):
    """A drafted dispute: the facts, the Markdown letter and the files written."""

    payer_id: str
    payer_name: str
    as_of: dt.date
    finding_ids: list[str]
    underpaid_lines: list[EvidenceLine] = Field(default_factory=list)
    late_claims: list[EvidenceLine] = Field(default_factory=list)
    total_short: float = 0.0
    interest_owed: float = 0.0
    total_requested: float = 0.0
    appeal_window_days: int | None = None
    appeal_deadline: dt.date | None = None
    clauses: list[ClauseCitation] = Field(default_factory=list)
    markdown: str
    files: dict[str, str] = Field(default_factory=dict)


def _formats(formats: tuple[str, ...] | list[str] | str) -> list[str]:
    if isinstance(formats, str):
        formats = [f for f in formats.split(",") if f.strip()]
    wanted = [f.strip().lower() for f in formats]
    bad = [f for f in wanted if f not in FORMATS]
    if bad:
        raise InputError(f"Unknown format '{bad[0]}'; use md, docx or pdf.")
    return ["md"] + [f for f in dict.fromkeys(wanted) if f != "md"]


def _select(conn: Any, payer_id: str, finding_ids: list[str] | None) -> list[Finding]:
    from assistant.monitor.log import query_findings

    if finding_ids:
        got = query_findings(conn, finding_ids=finding_ids)
        missing = sorted(set(finding_ids) - {f.finding_id for f in got})
        if missing:
            raise NotFoundError(f"No finding with id '{missing[0]}'.")
        other = [f.finding_id for f in got if f.payer_id != payer_id or f.kind not in DISPUTABLE]
        if other:
            raise InputError(f"Finding '{other[0]}' is not an underpayment or late payment "
                             f"of {payer_id}.")
        return got
    got = [f for f in query_findings(conn, status=OPEN_STATUSES, payer_id=payer_id)
           if f.kind in DISPUTABLE]
    if not got:
        raise NotFoundError(f"No open underpayment or late-payment findings for {payer_id}; "
                            "run 'parley monitor' first.")
    return got


def _dedupe(clauses: list[ClauseCitation]) -> list[ClauseCitation]:
    seen: set[tuple[str | None, str]] = set()
    out = []
    for c in clauses:
        if (c.chunk_id, c.quote) not in seen:
            seen.add((c.chunk_id, c.quote))
            out.append(c)
    return out


def draft_dispute(settings: Settings, payer: str, finding_ids: list[str] | None = None,
                  formats: tuple[str, ...] | list[str] | str = ("md",),
                  out_dir: Path | None = None, include_phi: bool = False,
                  practice_name: str | None = None, signer: str | None = None,
                  as_of: dt.date | None = None) -> DisputeDraft:
    """Draft the dispute letter for ``payer`` (id, name or alias) from its open underpayment
    and late-payment findings, or the given ``finding_ids``; write md (always) plus the
    requested docx/pdf under ``out_dir`` (default ``<data_dir>/disputes``).

    ``include_phi`` only adds a note: the warehouse keeps no patient names or member ids."""
    from assistant.analytics.vocabulary import Vocabulary
    from assistant.monitor.export import write_docx, write_pdf
    from assistant.prompts import load_prompt
    from assistant.stores.warehouse import open_warehouse

    fmts = _formats(formats)
    day = as_of or settings.today()
    conn = open_warehouse(settings, read_only=True)
    try:
        vocab = Vocabulary.load(conn)
        payer_id = vocab.resolve_payer(payer)
        payer_name = vocab.payer_name(payer_id)
        findings = _select(conn, payer_id, finding_ids)
    finally:
        conn.close()
    unders = [f for f in findings if f.kind == "underpayment"]
    lates = [f for f in findings if f.kind == "late_payment"]
    lines = sorted((ln for f in unders for ln in f.evidence.lines),
                   key=lambda ln: (ln.date_of_service or dt.date.min, ln.claim_id, ln.line_no or 0))
    late = sorted((ln for f in lates for ln in f.evidence.lines),
                  key=lambda ln: (ln.paid_date or dt.date.min, ln.claim_id))
    clauses = _dedupe([c for f in findings for c in f.evidence.clauses])
    deltas = {(ln.appeal_deadline - ln.paid_date).days for ln in lines + late
              if ln.appeal_deadline and ln.paid_date}
    window = max(deltas) if deltas else None
    deadline = next_appeal_deadline(lines + late, day)
    total_short = money(sum(ln.short or 0 for ln in lines))
    interest = money(sum(float(f.details.get("interest_owed") or 0) for f in lates))
    ctx: dict[str, Any] = {
        "payer_name": payer_name, "as_of": day.isoformat(),
        "practice_name": practice_name or "Our practice", "signer": signer,
        "finding_ids": [f.finding_id for f in findings], "underpaid_lines": lines,
        "groups": [f.details for f in unders],
        "total_expected": money(sum(ln.expected or 0 for ln in lines)),
        "total_paid": money(sum(ln.paid or 0 for ln in lines)),
        "total_allowed": money(sum(ln.allowed or 0 for ln in lines)),
        "total_short": total_short, "late_claims": late,
        "clean_claim_days": lates[0].details.get("clean_claim_days") if lates else None,
        "interest_pct": lates[0].details.get("interest_pct") if lates else None,
        "late_claims_total": sum(int(f.details.get("late_claims") or 0) for f in lates),
        "late_principal": money(sum(float(f.details.get("late_principal") or 0)
                                    for f in lates)),
        "interest_owed": interest, "clauses": clauses,
        "appeal_window_days": window,
        "appeal_deadline": deadline.isoformat() if deadline else None,
        "closed_lines": sum(1 for ln in lines + late
                            if ln.appeal_deadline and ln.appeal_deadline < day),
        "total_requested": money(total_short + interest), "include_phi": include_phi,
        "money": lambda x: f"${x:,.2f}" if x is not None else "—"}
    md = load_prompt("dispute.md", **ctx)
    folder = out_dir or (settings.data_dir / "disputes")
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"dispute_{payer_id}_{day.isoformat()}"
    files: dict[str, str] = {}
    md_path = folder / f"{stem}.md"
    md_path.write_text(md, encoding="utf-8")
    files["md"] = str(md_path)
    if "docx" in fmts:
        files["docx"] = str(write_docx(md, folder / f"{stem}.docx"))
    if "pdf" in fmts:
        files["pdf"] = str(write_pdf(md, folder / f"{stem}.pdf"))
    return DisputeDraft(
        payer_id=payer_id, payer_name=payer_name, as_of=day, finding_ids=ctx["finding_ids"],
        underpaid_lines=lines, late_claims=late, total_short=total_short,
        interest_owed=interest, total_requested=ctx["total_requested"],
        appeal_window_days=window, appeal_deadline=deadline, clauses=clauses, markdown=md,
        files=files)
