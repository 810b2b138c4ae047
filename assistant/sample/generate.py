"""Write the whole sample practice folder (``parley sample``)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import InputError
from assistant.sample import facts as F
from assistant.sample import ground_truth as gt
from assistant.sample import notes
from assistant.sample.claims import CSV_HEADER, ClaimGenerator
from assistant.sample.contract_model import ContractDoc
from assistant.sample.contracts import build_all
from assistant.sample.contracts_pdf import page_texts, render_pdf
from assistant.sample.contracts_text import render_docx, render_txt
from assistant.sample.facts import money
from assistant.sample.stats import Stats


@dataclass
class Summary:
    """What ``generate`` wrote."""

    out: Path
    files: int
    claim_lines: int
    claims: int
    remittance_files: int
    seconds: float
    ground_truth: Path


def _write(out: Path, rel: str, data: bytes) -> None:
    path = out / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def check_out(out: Path, force: bool, n_lines: int) -> None:
    """Refuse a bad line count, a file in the way, or a non-empty folder without --force
    (every practice generator checks its output folder this way)."""
    if n_lines <= 0:
        raise InputError(f"--claims must be a positive number of claim lines, not {n_lines}")
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise InputError(f"{out} is not empty; use --force to overwrite it")


SUBDIRS = ("contracts", "notes", "data", "remittances")


def clear_outputs(out: Path, subdirs: tuple[str, ...]) -> None:
    """Remove the files a generator writes (in ``subdirs``, at any depth, and its README and
    ground truth), so a forced re-run leaves no stale 835 files."""
    for sub in subdirs:
        for f in sorted((out / sub).rglob("*"), reverse=True) if (out / sub).is_dir() else []:
            if f.is_file():
                f.unlink()
    for name in ("README.md", "ground_truth.json"):
        if (out / name).is_file():
            (out / name).unlink()


def _csv(header: str, rows: list[list[str]]) -> bytes:
    return (header + "\n" + "".join(",".join(r) + "\n" for r in rows)).encode("utf-8")


def generate(out: Path, seed: int = F.DEFAULT_SEED, n_lines: int = F.DEFAULT_CLAIM_LINES,
             force: bool = False) -> Summary:
    """Generate the sample practice into ``out``; identical bytes for identical arguments."""
    t0 = time.perf_counter()
    check_out(out, force, n_lines)
    out.mkdir(parents=True, exist_ok=True)
    clear_outputs(out, SUBDIRS)
    medicare = F.load_medicare()
    rates = F.fee_schedule(medicare)
    written: list[str] = []

    def put(rel: str, data: bytes) -> None:
        _write(out, rel, data)
        written.append(rel)

    docs = build_all(rates, medicare)
    pages = _write_contracts(docs, put)
    note_files = {**notes.markdown_notes(), **notes.emails()}
    for name in sorted(note_files):
        put(name, note_files[name])
    _write_tables(medicare, rates, put)

    (out / "data").mkdir(exist_ok=True)
    with (out / "data/claims.csv").open("w", encoding="utf-8", newline="") as fh:
        fh.write(CSV_HEADER)
        gen = ClaimGenerator(seed, n_lines, rates, F.charges(medicare), fh.write,
                             lambda rel, data: _write(out, rel, data))
        stats = gen.run()
    written.append("data/claims.csv")
    written.extend(gen.files)

    truth = _truth(seed, n_lines, docs, pages, sorted(note_files), rates, stats)
    truth["remittance_files"] = len(gen.files)
    put("ground_truth.json", (json.dumps(truth, indent=2) + "\n").encode("utf-8"))
    put("README.md", _readme(n_lines, seed, len(gen.files)).encode("utf-8"))
    return Summary(out, len(written), n_lines, gen.claim_seq, len(gen.files),
                   time.perf_counter() - t0, out / "ground_truth.json")


def _write_contracts(docs: list[ContractDoc],
                     put: Callable[[str, bytes], None]) -> dict[str, dict[str, int]]:
    """Render every contract; returns the page of each quoted sentence per file."""
    pages: dict[str, dict[str, int]] = {}
    for doc in docs:
        quotes = [s.quote for s in doc.sections() if s.quote]
        if doc.file.endswith(".pdf"):
            pdf = render_pdf(doc)
            put(doc.file, pdf)
            texts = page_texts(pdf)
            pages[doc.file] = {q: _page_of(q, texts, doc.file) for q in quotes}
            if doc.injection:
                pages[doc.file][doc.injection] = _page_of(doc.injection, texts, doc.file)
        elif doc.file.endswith(".txt"):
            raw = render_txt(doc)
            put(doc.file, raw)
            # a form feed starts the exhibit's page (text files have pages too)
            texts = [" ".join(p.split()) for p in raw.decode("utf-8").split("\f")]
            pages[doc.file] = {q: _page_of(" ".join(q.split()), texts, doc.file) for q in quotes}
        else:
            put(doc.file, render_docx(doc))
            pages[doc.file] = {q: 1 for q in quotes}
    return pages


def _write_tables(medicare: dict[str, tuple[int, int]], rates: list[F.RateRow],
                  put: Callable[[str, bytes], None]) -> None:
    """payers.csv, fee_schedules.csv, costs.csv and medicare_benchmark.csv."""
    put("data/payers.csv", _csv("payer_id,name,plan_type,aliases", [
        [p.payer_id, _q(p.name), _q(p.plan_type), _q("|".join(p.aliases))] for p in F.PAYERS]))
    put("data/fee_schedules.csv", _csv(
        "payer_id,contract_id,code,modifier,rate,effective_from,effective_to",
        [[r.payer_id, r.contract_id, r.code, "", money(r.rate), r.effective_from.isoformat(),
          r.effective_to.isoformat() if r.effective_to else ""] for r in rates]))
    cost = F.costs(medicare)
    put("data/costs.csv", _csv("code,description,cost", [
        [c.code, _q(c.description), money(cost[c.code])] for c in F.CODES]))
    put("data/medicare_benchmark.csv", _csv(
        "code,year,locality,nonfacility_rate,facility_rate",
        [[c.code, str(F.MEDICARE_YEAR), "national", money(medicare[c.code][0]),
          money(medicare[c.code][1])] for c in F.CODES]))


def _truth(seed: int, n_lines: int, docs: list[ContractDoc], pages: dict[str, dict[str, int]],
           note_files: list[str], rates: list[F.RateRow], stats: Stats) -> dict[str, Any]:
    """The ground-truth document (see docs/ARCHITECTURE.md)."""
    clause_rows = gt.clauses(docs, pages)
    esp = next(d for d in docs if d.injection)
    return {
        "practice": {"name": F.PRACTICE_NAME, "legal_name": F.PRACTICE_LEGAL,
                     "npi": F.PRACTICE_NPI, "city": F.PRACTICE_CITY, "state": F.PRACTICE_STATE},
        "seed": seed, "claim_lines": n_lines,
        "period": {"start": F.PERIOD_START.isoformat(), "end": F.PERIOD_END.isoformat()},
        "reference_date": F.REFERENCE_DATE.isoformat(),
        "payers": [{"payer_id": p.payer_id, "name": p.name, "plan_type": p.plan_type,
                    "aliases": list(p.aliases), "contract_id": p.contract_id} for p in F.PAYERS],
        "documents": gt.documents(docs, note_files),
        "clauses": clause_rows,
        "terms": gt.terms(docs, clause_rows),
        "fee_schedule": [{"payer_id": r.payer_id, "contract_id": r.contract_id, "code": r.code,
                          "rate": r.rate / 100, "effective_from": r.effective_from.isoformat(),
                          "effective_to": r.effective_to.isoformat() if r.effective_to else None}
                         for r in rates],
        "planted": gt.planted(stats, rates),
        "totals": stats.totals_json(),
        "deadlines": gt.deadlines(),
        "injection": {"file": esp.file, "text": esp.injection,
                      "page": pages[esp.file][esp.injection or ""],
                      "how": "white 1-point text after the fee-schedule update section",
                      "true_value": {"term": "timely_filing_days",
                                     "value": F.PAYER_BY_ID["ESP"].terms.timely_filing_days}},
        "notes_facts": notes.FACTS,
        "conventions": {
            "money": "dollars, two decimals",
            "page": "1-based page: PDF pages, form feeds in .txt; 1 for .docx",
            "quote": "verbatim after collapsing whitespace runs to one space",
            "deadline": "first term end whose notice deadline is on or after reference_date"},
    }


def _q(text: str) -> str:
    return f'"{text}"' if any(ch in text for ch in ',"') else text


def _page_of(quote: str, texts: list[str], file: str) -> int:
    hits = [i + 1 for i, t in enumerate(texts) if quote in t]
    if len(hits) != 1:
        raise RuntimeError(f"quote not on exactly one page of {file}: {quote[:50]}")
    return hits[0]


def _readme(n_lines: int, seed: int, n_remits: int) -> str:
    return (f"# {F.PRACTICE_NAME} - sample practice\n\n"
            "A fictional multi-specialty practice generated by `parley sample` for trying "
            "Parley. All payers, people and figures are invented.\n\n"
            f"- Claims: {n_lines} claim lines (seed {seed}), dates of service "
            f"{F.PERIOD_START} to {F.PERIOD_END}; {n_remits} X12 835 remittance files.\n"
            "- `contracts/`: payer agreements (PDF, DOCX, TXT) and one amendment.\n"
            "- `notes/`: negotiation meeting notes and e-mails.\n"
            "- `data/`: payers, fee schedules, claims, costs, Medicare benchmark (2025, "
            "national).\n- `ground_truth.json`: the facts tests and evaluation check against.\n"
            "\nWarning: one contract contains planted hostile text (see `injection` in "
            "ground_truth.json) to test that Parley treats documents as data.\n")
