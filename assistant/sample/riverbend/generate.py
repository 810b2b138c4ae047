"""Write the Riverbend practice folder (``parley sample --practice riverbend``).

```
DIR/
  README.md, ground_truth.json
  contracts/        agreements and one amendment: PDF (reportlab) and DOCX only
  correspondence/   meeting notes (.md) and e-mails (.eml)
  era/YYYY/         clearinghouse 835 deliveries (several payers per file) + one re-download
  billing/837P_out/ one month of submitted claims (837P)
  medicare/         CMS 2025 national PFS rows for the billed codes (real values)
```
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from assistant.sample.generate import Summary, check_out, clear_outputs
from assistant.sample.riverbend import contracts_crhp, contracts_other, notes, x12_835, x12_837
from assistant.sample.riverbend import ground_truth as gt
from assistant.sample.riverbend import model as M
from assistant.sample.riverbend import planted as PL
from assistant.sample.riverbend.claims import ClaimModel, Payment
from assistant.sample.riverbend.contracts_docx import render_docx
from assistant.sample.riverbend.contracts_pdf import page_texts, render_pdf
from assistant.sample.riverbend.doc_model import Doc

SUBDIRS = ("contracts", "correspondence", "era", "billing", "medicare")


def documents() -> list[Doc]:
    """Every contract document, in a fixed order."""
    return [contracts_crhp.agreement(), contracts_crhp.amendment(), contracts_other.tamarack(),
            contracts_other.sandhill(), contracts_other.granite_peak()]


def generate(out: Path, seed: int = M.DEFAULT_SEED, n_lines: int = M.DEFAULT_LINES,
             force: bool = False) -> Summary:
    """Generate the practice into ``out``; identical bytes for identical arguments."""
    t0 = time.perf_counter()
    check_out(out, force, n_lines)
    out.mkdir(parents=True, exist_ok=True)
    clear_outputs(out, SUBDIRS)
    written: list[str] = []

    def put(rel: str, data: bytes) -> None:
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(rel)

    docs = documents()
    pages: dict[str, list[str] | None] = {}
    for d in docs:
        if d.file.endswith(".pdf"):
            pdf = render_pdf(d)
            put(d.file, pdf)
            pages[d.file] = page_texts(pdf)
        else:
            put(d.file, render_docx(d))
            pages[d.file] = None
    note_files = notes.files()
    for name in sorted(note_files):
        put(name, note_files[name])
    put(M.MEDICARE_FILE, ("\n".join([M.MEDICARE_COLUMNS] + [
        f"{c},{row}" for c, row in M.MPFS_2025.items()]) + "\n").encode("ascii"))

    model = ClaimModel(seed, n_lines)
    payments = model.run()
    era = x12_835.plan_files(payments)
    for f in era:
        put(f.name, x12_835.render(f))
    sent = x12_837.submitted_in_month(model.claims)
    put(x12_837.FILE, x12_837.render(sent))

    truth = _truth(seed, n_lines, docs, pages, sorted(note_files), payments, era, model)
    truth["x12_837"] = {"file": x12_837.FILE, "claims": len(sent),
                        "lines": sum(len(c.lines) for c in sent),
                        "submitted_from": min(c.submitted for c in sent).isoformat(),
                        "submitted_to": max(c.submitted for c in sent).isoformat()}
    put("ground_truth.json", (json.dumps(truth, indent=2) + "\n").encode("utf-8"))
    put("README.md", _readme(seed, n_lines, len(era)).encode("utf-8"))
    lines = sum(t["lines"] for t in truth["totals"].values())
    claims = sum(t["claims"] for t in truth["totals"].values())
    return Summary(out, len(written), lines, claims, len(era), time.perf_counter() - t0,
                   out / "ground_truth.json")


def _documents(docs: list[Doc], note_files: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"file": d.file, "payer_id": d.payer_id, "doc_type": d.doc_type, "title": d.title,
         "effective_date": d.effective_date.isoformat(), "format": d.file.rsplit(".", 1)[1],
         "contract_id": d.contract_id} for d in docs]
    for f in note_files:
        fact = next((x for x in notes.FACTS if x["file"] == f), None)
        rows.append({"file": f, "payer_id": fact["payer_id"] if fact else None,
                     "doc_type": "email" if f.endswith(".eml") else "note",
                     "title": f.split("/")[-1][11:].rsplit(".", 1)[0],
                     "effective_date": f.split("/")[-1][:10], "format": f.rsplit(".", 1)[1]})
    return rows


def _truth(seed: int, n_lines: int, docs: list[Doc], pages: dict[str, list[str] | None],
           note_files: list[str], payments: list[Payment], era: list[x12_835.EraFile],
           model: ClaimModel) -> dict[str, Any]:
    """The ground-truth document (see docs/ARCHITECTURE.md)."""
    resend = next(f for f in era if f.resend_of)
    rev = [c for p in payments for c in p.claims if c.claim_id == PL.REVERSED_CLAIM]
    return {
        "practice": {"name": M.PRACTICE_NAME, "legal_name": M.PRACTICE_LEGAL,
                     "npi": M.PRACTICE_NPI, "city": M.PRACTICE_ADDRESS[1],
                     "state": M.PRACTICE_ADDRESS[2]},
        "seed": seed, "claim_lines": n_lines,
        "period": {"start": M.PERIOD_START.isoformat(), "end": M.PERIOD_END.isoformat()},
        "reference_date": M.REFERENCE_DATE.isoformat(),
        "payers": [{"payer_id": p.payer_id, "name": p.name, "legal_name": p.legal_name,
                    "plan_type": p.plan_type, "aliases": p.aliases, "x12_name": p.x12_name,
                    "x12_payer_id": p.x12_id, "contract_id": p.contract_id,
                    "programs": [x.program for x in p.programs]} for p in M.PAYERS],
        "documents": _documents(docs, note_files),
        "clauses": gt.clauses(docs, pages),
        "terms": gt.terms(docs, pages),
        "fee_schedule": gt.fee_schedule(docs, pages),
        "medicare": {"file": M.MEDICARE_FILE, "year": M.MEDICARE_YEAR, "locality": "national",
                     "nonfacility": {c: v / 100 for c, v in M.medicare_nonfacility().items()},
                     "percent_of_medicare": {"GPHI": M.GPHI_PCT}},
        "planted": {
            **gt.planted(payments, model.rates),
            "reversal": {"payer_id": "GPHI", "claim_id": PL.REVERSED_CLAIM,
                         "original_code": rev[0].lines[0].code, "original_paid": rev[0].paid / 100,
                         "original_payment_date": PL.REVERSAL_DATES[0].isoformat(),
                         "reversal_payment_date": PL.REVERSAL_DATES[1].isoformat(),
                         "corrected_code": rev[2].lines[0].code,
                         "corrected_paid": rev[2].paid / 100, "net_paid": sum(
                             c.paid for c in rev) / 100},
            "duplicate_remittance": {"payer_id": resend.payments[0].payer_id,
                                     "trace_number": resend.payments[0].trace,
                                     "original_file": resend.resend_of, "resent_file": resend.name},
            "claim_denial": {"payer_id": "CRHP", "claim_id": PL.MRI_DENIED_CLAIM, "code": "73721",
                             "date_of_service": PL.MRI_DENIAL_DOS.isoformat(), "group_code": "CO",
                             "carc": "197", "rarc": "N54"},
            "provider_adjustments": [
                {"payer_id": p.payer_id, "trace_number": p.trace,
                 "payment_date": p.paid_date.isoformat(), "reason": r, "reference": ref,
                 "amount": a / 100} for p in payments for r, ref, a in p.plb],
        },
        "totals": gt.totals(payments),
        "deadlines": gt.deadlines(),
        "notes_facts": notes.FACTS,
        "remittance_files": len(era),
        "era_files": [{"file": f.name, "delivered": f.delivered.isoformat(),
                       "payers": sorted({p.payer_id for p in f.payments}),
                       "transactions": len(f.payments), "resend_of": f.resend_of} for f in era],
        "conventions": {
            "money": "dollars, two decimals", "page": "1-based PDF page; 1 for .docx",
            "quote": "verbatim after collapsing whitespace runs to one space",
            "deadline": "first term end whose notice deadline is on or after reference_date; "
                        "a contract that does not renew has no notice deadline",
            "totals": "each payment once (a re-sent file is not counted again); lines, claims, "
                      "billed, allowed are over each claim's latest adjudication (a reversed "
                      "original and its reversal are left out, the corrected claim counts); "
                      "paid is the net of all remitted lines; a claim denied at claim level "
                      "has no service lines (denied_claims); denied_lines have allowed 0",
            "paid_by_month": "sum of service-line payments (SVC03, reversals included) by "
                             "payment date (BPR16) month; remitted_by_month is BPR02 "
                             "(after PLB adjustments)",
            "program": "terms carry the program they apply to; null applies to the whole "
                       "agreement"},
    }


def _readme(seed: int, n_lines: int, n_files: int) -> str:
    return (f"# {M.PRACTICE_NAME}\n\nA fictional family and sports medicine practice "
            "generated by `parley sample --practice riverbend`. All payers, people and "
            "figures are invented; the Medicare amounts are CMS's real 2025 national values.\n\n"
            f"- About {n_lines} service lines (seed {seed}), dates of service {M.PERIOD_START} "
            f"to {M.PERIOD_END}, in {n_files} clearinghouse 835 files under `era/`.\n"
            "- `contracts/`: payer agreements as PDF and DOCX, one amendment.\n"
            "- `correspondence/`: call notes and e-mails.\n"
            "- `billing/837P_out/`: one month of submitted claims.\n"
            "- `medicare/`: the 2025 Physician Fee Schedule rows for the billed codes.\n"
            "- `ground_truth.json`: the facts tests and evaluation check against.\n")
