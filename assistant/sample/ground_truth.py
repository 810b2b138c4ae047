"""Assemble ``ground_truth.json`` from the facts, the rendered documents and the stats."""

from __future__ import annotations

import dataclasses
from typing import Any

from assistant.sample import facts as F
from assistant.sample.claims import (
    SPIKE_CODES,
    SPIKE_PAYER,
    UNDERPAY_CODE,
    UNDERPAY_FACTOR,
    UNDERPAY_PAYER,
)
from assistant.sample.contract_model import ContractDoc
from assistant.sample.stats import Stats

TERM_CLAUSE = {
    "effective_date": "term_renewal", "initial_term_months": "term_renewal",
    "auto_renewal": "term_renewal", "renewal_term_months": "term_renewal",
    "non_renewal_notice_days": "term_renewal",
    "termination_without_cause_days": "termination_without_cause",
    "timely_filing_days": "timely_filing", "clean_claim_payment_days": "prompt_pay",
    "prompt_pay_interest_pct": "prompt_pay", "appeal_window_days": "appeals",
    "mfn_present": "most_favored_nation", "fee_schedule_basis": "fee_schedule",
    "payer_amendment_notice_days": "fee_schedule_updates",
}


def clauses(docs: list[ContractDoc], pages: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """One entry per clause-tagged section; ``pages[file][quote]`` is the 1-based page."""
    out = []
    for doc in docs:
        for s in doc.sections():
            if s.clause_type and s.quote:
                out.append({"payer_id": doc.payer_id, "file": doc.file,
                            "clause_type": s.clause_type, "section": s.label,
                            "heading": s.heading, "page": pages[doc.file][s.quote],
                            "quote": s.quote})
    return out


def terms(docs: list[ContractDoc], clause_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Contract terms per payer, each pointing at the clause that states it."""
    by = {(c["file"], c["clause_type"]): c for c in clause_rows
          if not c["section"].startswith(("Exhibit", "Schedule", "Attachment"))}
    out = []
    for p in F.PAYERS:
        t = p.terms
        for key, value in dataclasses.asdict(t).items():
            if key not in TERM_CLAUSE:
                continue
            c = by.get((p.contract_file, TERM_CLAUSE[key]))
            out.append({"payer_id": p.payer_id, "contract_id": p.contract_id, "term": key,
                        "value": value.isoformat() if key == "effective_date" else value,
                        "effective_from": t.effective_date.isoformat(), "file": p.contract_file,
                        "page": c["page"] if c else None, "section": c["section"] if c else None})
    c = by[(F.KHP_AMENDMENT_FILE, "timely_filing")]
    out.append({"payer_id": "KHP", "contract_id": F.PAYER_BY_ID["KHP"].contract_id,
                "term": "timely_filing_days", "value": F.KHP_AMENDED_TIMELY_FILING,
                "effective_from": F.KHP_AMENDMENT_DATE.isoformat(), "file": F.KHP_AMENDMENT_FILE,
                "page": c["page"], "section": c["section"]})
    return out


def deadlines() -> list[dict[str, Any]]:
    """Current term end and notice deadline per contract as of the reference date."""
    out = []
    for p in F.PAYERS:
        end, notice = F.expiration_and_deadline(p.terms, F.REFERENCE_DATE)
        out.append({"payer_id": p.payer_id, "contract_id": p.contract_id,
                    "expiration_date": end.isoformat(),
                    "notice_days": p.terms.non_renewal_notice_days,
                    "notice_deadline": notice.isoformat(),
                    "days_until_notice_deadline": (notice - F.REFERENCE_DATE).days,
                    "termination_without_cause_days": p.terms.termination_without_cause_days})
    return out


def planted(stats: Stats, rates: list[F.RateRow]) -> dict[str, Any]:
    """The three planted patterns with values computed from the generated rows."""
    contract = next(r.rate for r in rates if r.payer_id == UNDERPAY_PAYER
                    and r.code == UNDERPAY_CODE and r.effective_from == F.KHP_AMENDMENT_DATE)
    paid_rate = int(contract * UNDERPAY_FACTOR + 0.5)
    spike_q = "2026Q2"
    base_qs = ["2025Q2", "2025Q3", "2025Q4", "2026Q1"]
    n_b = sum(stats.spike[q][0] for q in base_qs)
    d_b = sum(stats.spike[q][1] for q in base_qs)
    n_s, d_s = stats.spike[spike_q]
    late = stats.late
    bsh = F.PAYER_BY_ID["BSH"]
    return {
        "underpayment": {
            "payer_id": UNDERPAY_PAYER, "code": UNDERPAY_CODE,
            "start_date": F.KHP_AMENDMENT_DATE.isoformat(),
            "contract_rate": contract / 100, "paid_rate": paid_rate / 100,
            "pct_below": round((contract - paid_rate) / contract * 100, 2),
            "lines": stats.under["lines"], "total_short": stats.under["short"] / 100,
            "rate_basis": "allowed amount per unit (AMT*B6 / units) on paid and partial lines "
                          "with date of service on or after start_date"},
        "denial_spike": {
            "payer_id": SPIKE_PAYER, "quarter": spike_q, "carc": "197", "group_code": "CO",
            "rarc": "N54", "codes": list(SPIKE_CODES),
            "spike_rate": round(d_s / n_s, 4) if n_s else 0.0,
            "baseline_rate": round(d_b / n_b, 4) if n_b else 0.0,
            "baseline_quarters": base_qs, "lines": n_s, "denied_lines": d_s,
            "rate_definition": "CO-197 denied lines / all lines for the codes, by date of "
                               "service quarter"},
        "late_payment": {
            "payer_id": "BSH", "clean_claim_days": bsh.terms.clean_claim_payment_days,
            "claims": late["claims"], "late_claims": late["late"],
            "share_late": round(late["late"] / late["claims"], 4) if late["claims"] else 0.0,
            "interest_rate_annual": bsh.terms.prompt_pay_interest_pct / 100,
            "late_principal": late["principal_late"] / 100,
            "interest_owed": late["interest_cents"] / 100,
            "formula": "over BSH claims with paid > 0: days_late = (paid_date - received_date)"
                       " - clean_claim_days; late when days_late > 0; interest_owed = sum of "
                       "round(claim paid x interest_rate_annual x days_late / 365, 2)"},
    }


def documents(docs: list[ContractDoc], note_files: list[str]) -> list[dict[str, Any]]:
    """Every source document with its type and format."""
    out: list[dict[str, Any]] = [
        {"file": d.file, "payer_id": d.payer_id, "doc_type": d.doc_type, "title": d.title,
         "effective_date": d.effective_date.isoformat(), "format": d.file.rsplit(".", 1)[1],
         "contract_id": d.agreement_no} for d in docs]
    for f in note_files:
        out.append({"file": f, "payer_id": _note_payer(f),
                    "doc_type": "email" if f.endswith(".eml") else "note",
                    "title": f.split("/")[-1].split("_", 1)[1].rsplit(".", 1)[0]
                    .replace("-", " "), "effective_date": f.split("/")[-1][:10],
                    "format": f.rsplit(".", 1)[1]})
    return out


def _note_payer(file: str) -> str | None:
    for key, pid in (("blue-summit", "BSH"), ("bsh", "BSH"), ("walkaway", "BSH"),
                     ("keystone", "KHP"), ("northwind", "NWM"), ("evergreen", "ESP")):
        if key in file:
            return pid
    return None
