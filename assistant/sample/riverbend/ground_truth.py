"""Riverbend's ``ground_truth.json``, computed from the generator's own model.

Totals come from the payments the 835 writer rendered (each payment once, however many
files carry it). A claim that was reversed counts in its latest adjudication only; money
is the net of every remitted line (original + reversal + corrected).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from assistant.sample.riverbend import model as M
from assistant.sample.riverbend import planted as PL
from assistant.sample.riverbend.claims import SPIKE_CARC, SPIKE_PAYER, Claim, Line, Payment
from assistant.sample.riverbend.doc_model import Doc

SPIKE_Q, BASE_QS = "2026Q2", ["2025Q3", "2025Q4", "2026Q1"]


def quarter(day: dt.date) -> str:
    """'2026Q2'."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def page_of(text: str, pages: list[str] | None, file: str) -> int:
    """1-based page holding ``text`` (whitespace-collapsed); 1 for formats without pages."""
    if pages is None:
        return 1
    want = " ".join(text.split())
    hits = [i + 1 for i, t in enumerate(pages) if want in t]
    if len(hits) != 1:
        raise RuntimeError(f"text not on exactly one page of {file}: {want[:60]}")
    return hits[0]


def clauses(docs: list[Doc], pages: dict[str, list[str] | None]) -> list[dict[str, Any]]:
    """One entry per clause-tagged section."""
    return [{"payer_id": d.payer_id, "file": d.file, "clause_type": c.clause_type,
             "section": c.label, "heading": c.heading, "program": c.program,
             "page": page_of(c.quote, pages[d.file], d.file), "quote": c.quote}
            for d in docs for c in d.clauses() if c.clause_type and c.quote]


def terms(docs: list[Doc], pages: dict[str, list[str] | None]) -> list[dict[str, Any]]:
    """Every term stated by a clause, with its program; ``mfn_present`` false when absent."""
    out: list[dict[str, Any]] = []
    for d in docs:
        p = M.PAYER_BY_ID[d.payer_id]
        for c in d.clauses():
            for key, value in c.terms.items():
                prog = next((x for x in p.programs if x.program == c.program), None)
                row = {"payer_id": d.payer_id, "contract_id": p.contract_id, "term": key,
                       "value": value, "program": c.program,
                       "effective_from": d.effective_date.isoformat(), "file": d.file,
                       "page": page_of(c.quote or c.paragraphs[0], pages[d.file], d.file),
                       "section": c.label}
                if key == "prompt_pay_interest_pct" and prog is not None:
                    row["value_text"] = prog.interest_text
                out.append(row)
        if d.doc_type == "contract" and not p.mfn_present:
            out.append({"payer_id": d.payer_id, "contract_id": p.contract_id,
                        "term": "mfn_present", "value": False, "program": None,
                        "effective_from": d.effective_date.isoformat(), "file": d.file,
                        "page": None, "section": None})
    return out


def fee_schedule(docs: list[Doc], pages: dict[str, list[str] | None]) -> list[dict[str, Any]]:
    """Every contracted rate with the file, page and section that states it."""
    where: dict[tuple[str, str, str, str], tuple[str, int, str]] = {}
    for d in docs:
        for b in d.fee_blocks():
            for f in b.fees:
                r = f.rate
                probe = f"{M.dollars(r.rate)}"
                pg = pages[d.file]
                page = 1 if pg is None else next(
                    i + 1 for i, t in enumerate(pg) if r.code in t and probe in t)
                where[(r.payer_id, r.code, r.modifier, r.effective_from.isoformat())] = (
                    d.file, page, b.section)
    gphi = next(d for d in docs if d.payer_id == "GPHI")
    basis = next(c for c in gphi.clauses() if c.clause_type == "fee_schedule")
    gphi_at = (gphi.file, page_of(basis.quote or "", pages[gphi.file], gphi.file), basis.label)
    out = []
    for r in M.fee_schedule(M.medicare_nonfacility()):
        file, page, section = gphi_at if r.payer_id == "GPHI" else \
            where[(r.payer_id, r.code, r.modifier, r.effective_from.isoformat())]
        out.append({"payer_id": r.payer_id, "contract_id": r.contract_id, "code": r.code,
                    "modifier": r.modifier, "rate": r.rate / 100,
                    "effective_from": r.effective_from.isoformat(),
                    "effective_to": r.effective_to.isoformat() if r.effective_to else None,
                    "file": file, "page": page, "section": section,
                    "basis": M.PAYER_BY_ID[r.payer_id].fee_schedule_basis})
    return out


def final_claims(payments: list[Payment]) -> list[tuple[Claim, dt.date]]:
    """Each claim in its latest adjudication (reversals dropped), with its payment date."""
    latest: dict[tuple[str, str], tuple[Claim, dt.date]] = {}
    for pay in sorted(payments, key=lambda p: p.paid_date):
        for c in pay.claims:
            if c.status != "22":
                latest[(c.payer_id, c.claim_id)] = (c, pay.paid_date)
    return sorted(latest.values(), key=lambda cd: (cd[1], cd[0].claim_id))


def _lines(c: Claim) -> list[Line]:
    return c.lines if c.lines_in_835 else []


def totals(payments: list[Payment]) -> dict[str, dict[str, Any]]:
    """Per payer: lines, claims, patients, money, denials and paid per payment month."""
    t: dict[str, dict[str, Any]] = {p.payer_id: {
        "lines": 0, "claims": 0, "patients": set(), "billed": 0, "allowed": 0, "paid": 0,
        "denied_lines": 0, "denied_claims": 0, "late_claims": 0,
        "paid_by_month": defaultdict(int), "remitted_by_month": defaultdict(int),
        "provider_adjustments": 0, "payments": 0} for p in M.PAYERS}
    for c, paid_date in final_claims(payments):
        row = t[c.payer_id]
        row["claims"] += 1
        row["patients"].add(c.member_id)
        row["denied_claims"] += c.status == "4"
        row["late_claims"] += c.paid > 0 and PL.days_late(c, paid_date) > 0
        for li in _lines(c):
            row["lines"] += 1
            row["billed"] += li.billed
            row["allowed"] += li.allowed
            row["paid"] += li.paid
            row["denied_lines"] += li.allowed == 0
    for pay in payments:
        row = t[pay.payer_id]
        month = f"{pay.paid_date:%Y-%m}"
        row["payments"] += 1
        row["paid_by_month"][month] += sum(li.paid for c in pay.claims for li in _lines(c))
        row["remitted_by_month"][month] += pay.total
        row["provider_adjustments"] += sum(a for _r, _f, a in pay.plb)
    out = {}
    for pid, row in t.items():
        out[pid] = {k: v for k, v in row.items() if k not in ("patients",)}
        out[pid]["patients"] = len(row["patients"])
        for k in ("billed", "allowed", "paid", "provider_adjustments"):
            out[pid][k] = row[k] / 100
        for k in ("paid_by_month", "remitted_by_month"):
            out[pid][k] = {m: v / 100 for m, v in sorted(row[k].items())}
    return out


def planted(payments: list[Payment], rates: list[M.RateRow]) -> dict[str, Any]:
    """The planted patterns with values computed from the generated payments."""
    final = final_claims(payments)
    new = next(r.rate for r in rates if r.payer_id == "CRHP" and r.code == "99214"
               and r.effective_from == M.CRHP_AMENDMENT_DATE)
    old = next(r.rate for r in rates if r.payer_id == "CRHP" and r.code == "99214"
               and r.effective_to is not None)
    under = [li for c, _d in final if c.payer_id == "CRHP" and c.dos >= M.CRHP_AMENDMENT_DATE
             for li in _lines(c) if li.code == "99214" and 0 < li.allowed < li.contract]
    spike: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c, _d in final:
        for li in _lines(c):
            if c.payer_id == SPIKE_PAYER and li.code in M.MRI_CODES:
                s = spike[quarter(c.dos)]
                s[0] += 1
                s[1] += any(carc == SPIKE_CARC for _g, carc, _a in li.adjustments) \
                    and li.allowed == 0
    n_b, d_b = (sum(spike[q][i] for q in BASE_QS) for i in (0, 1))
    n_s, d_s = spike[SPIKE_Q]
    tm = M.PAYER_BY_ID["TMIC"].program(M.COMMERCIAL)
    rate = tm.prompt_pay_interest_pct or 0.0
    tm_claims = [(c, d) for c, d in final if c.payer_id == "TMIC" and c.paid > 0]
    late = [(c, d) for c, d in tm_claims if PL.days_late(c, d) > 0]
    owed = sum(PL.interest_cents(c.paid, rate, PL.days_late(c, d)) for c, d in late)
    paid_l6 = -sum(a for p in payments if p.payer_id == "TMIC" for r, _f, a in p.plb
                   if r == "L6")
    return {
        "underpayment": {
            "payer_id": "CRHP", "code": "99214", "start_date": M.CRHP_AMENDMENT_DATE.isoformat(),
            "contract_rate": new / 100, "paid_rate": old / 100,
            "pct_below": round((new - old) / new * 100, 2), "lines": len(under),
            "total_short": sum(li.contract - li.allowed for li in under) / 100,
            "amendment_file": M.CRHP_AMENDMENT_FILE,
            "rate_basis": "allowed amount per unit (AMT*B6 / units) on paid lines with date of "
                          "service on or after start_date (modifier 25 lines included)"},
        "denial_spike": {
            "payer_id": SPIKE_PAYER, "quarter": SPIKE_Q, "carc": SPIKE_CARC, "group_code": "CO",
            "rarc": "N54", "codes": list(M.MRI_CODES),
            "spike_rate": round(d_s / n_s, 4) if n_s else 0.0,
            "baseline_rate": round(d_b / n_b, 4) if n_b else 0.0,
            "baseline_quarters": BASE_QS, "lines": n_s, "denied_lines": d_s,
            "rate_definition": "CO-197 denied MRI lines / all MRI lines, by date-of-service "
                               "quarter"},
        "late_payment": {
            "payer_id": "TMIC", "clean_claim_days": tm.clean_claim_payment_days,
            "claims": len(tm_claims), "late_claims": len(late),
            "share_late": round(len(late) / len(tm_claims), 4) if tm_claims else 0.0,
            "interest_rate_annual": rate / 100,
            "late_principal": sum(c.paid for c, _d in late) / 100,
            "interest_owed": owed / 100, "interest_paid_plb_l6": paid_l6 / 100,
            "interest_outstanding": (owed - paid_l6) / 100,
            "formula": "over TMIC claims with paid > 0: days_late = (payment date BPR16 - "
                       "received date DTM*050) - clean_claim_days; late when days_late > 0; "
                       "interest_owed = sum of round(claim paid x interest_rate_annual x "
                       "days_late / 365, 2)"},
    }


def deadlines() -> list[dict[str, Any]]:
    """Current term end and notice deadline per agreement as of the reference date."""
    out = []
    for p in M.PAYERS:
        end, notice = M.term_end_and_notice(p, M.REFERENCE_DATE)
        out.append({"payer_id": p.payer_id, "contract_id": p.contract_id,
                    "auto_renewal": p.auto_renewal, "expiration_date": end.isoformat(),
                    "days_until_expiration": (end - M.REFERENCE_DATE).days,
                    "notice_days": p.non_renewal_notice_days,
                    "notice_deadline": notice.isoformat() if notice else None,
                    "days_until_notice_deadline":
                        (notice - M.REFERENCE_DATE).days if notice else None,
                    "termination_without_cause_days": p.termination_without_cause_days})
    return out
