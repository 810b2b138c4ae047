"""Contracts agree with the CSVs and the ground truth: rates, quotes, pages, terms."""

from __future__ import annotations

import csv
import functools
import io
import re
from pathlib import Path
from typing import Any

import pytest

from assistant.vocabulary import CLAUSE_TYPES, TERM_KEYS


def _norm(text: str) -> str:
    return " ".join(text.split())


def _pdf_pages(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [_norm(p.extract_text() or "") for p in PdfReader(str(path)).pages]


@functools.lru_cache(maxsize=32)
def _full_text(path: Path) -> str:
    if path.suffix == ".pdf":
        return " ".join(_pdf_pages(path))
    if path.suffix == ".docx":
        import docx

        d = docx.Document(str(path))
        parts = [p.text for p in d.paragraphs]
        parts += [c.text for t in d.tables for r in t.rows for c in r.cells]
        return _norm(" ".join(parts))
    return _norm(path.read_text(encoding="utf-8"))


def test_clause_quotes_are_on_the_stated_page(sample_dir: Path, truth: dict[str, Any]) -> None:
    assert len(truth["clauses"]) > 80
    for c in truth["clauses"]:
        path = sample_dir / c["file"]
        if path.suffix == ".pdf":
            pages = _pdf_pages(path)
            assert c["quote"] in pages[c["page"] - 1], (c["file"], c["section"], c["page"])
            assert sum(c["quote"] in p for p in pages) == 1
        elif path.suffix == ".txt":  # a form feed starts a page
            pages = [_norm(p) for p in path.read_text(encoding="utf-8").split("\f")]
            assert _norm(c["quote"]) in pages[c["page"] - 1], (c["file"], c["section"])
        else:
            assert c["page"] == 1
            assert c["quote"] in _full_text(path), (c["file"], c["section"])


def test_fee_schedule_csv_rate_equals_exhibit_rate(sample_dir: Path,
                                                   truth: dict[str, Any]) -> None:
    with (sample_dir / "data/fee_schedules.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    contract_ids = {p["contract_id"] for p in truth["payers"]}
    docs = {d["contract_id"]: d for d in truth["documents"] if d["doc_type"] != "note"
            and d["doc_type"] != "email"}
    checked = 0
    for row in rows:
        doc = docs[row["contract_id"] + ("-A1" if row["effective_from"] == "2026-04-01" else "")]
        assert row["contract_id"] in contract_ids
        text = _full_text(sample_dir / doc["file"])
        assert f"Agreement No. {row['contract_id']}" in text
        # The exhibit row: from the code to the next 5-digit code or the end of the table.
        segments = [m.group(1) for m in re.finditer(
            rf"\b{row['code']}\b(.*?)(?=\b\d{{5}}\b|$)", text) if "$" in m.group(1)]
        assert any(f"${row['rate']}" in seg for seg in segments), (doc["file"], row["code"])
        checked += 1
    assert checked == len(rows) > 90


def test_ground_truth_fee_schedule_matches_csv(sample_dir: Path, truth: dict[str, Any]) -> None:
    with (sample_dir / "data/fee_schedules.csv").open(newline="") as fh:
        rows = [(r["payer_id"], r["code"], float(r["rate"]), r["effective_from"],
                 r["effective_to"] or None) for r in csv.DictReader(fh)]
    gt = [(r["payer_id"], r["code"], r["rate"], r["effective_from"], r["effective_to"])
          for r in truth["fee_schedule"]]
    assert rows == gt


def test_vocabulary_and_clause_coverage(truth: dict[str, Any]) -> None:
    per_type: dict[str, set[str]] = {}
    for c in truth["clauses"]:
        assert c["clause_type"] in CLAUSE_TYPES
        per_type.setdefault(c["clause_type"], set()).add(c["payer_id"])
    assert set(per_type) == set(CLAUSE_TYPES)
    assert all(len(v) >= 2 for v in per_type.values())
    mfn = {t["payer_id"]: t["value"] for t in truth["terms"] if t["term"] == "mfn_present"}
    assert mfn["BSH"] is True and mfn["ESP"] is False
    assert set(mfn.values()) == {True, False}
    for t in truth["terms"]:
        assert t["term"] in TERM_KEYS
    khp_tf = sorted((t["effective_from"], t["value"]) for t in truth["terms"]
                    if t["payer_id"] == "KHP" and t["term"] == "timely_filing_days")
    assert khp_tf == [("2024-07-01", 120), ("2026-04-01", 90)]


def test_terms_point_at_quotes_that_state_them(truth: dict[str, Any]) -> None:
    quotes = {(c["file"], c["section"]): c["quote"] for c in truth["clauses"]}
    words = {30: "thirty", 60: "sixty", 90: "ninety", 120: "one hundred twenty",
             180: "one hundred eighty", 365: "three hundred sixty-five", 45: "forty-five",
             75: "seventy-five"}
    for t in truth["terms"]:
        if not t["term"].endswith("_days") or t["section"] is None:
            continue
        q = quotes[(t["file"], t["section"])]
        assert str(t["value"]) in q or words.get(t["value"], "@") in q, t


def test_deadlines(truth: dict[str, Any]) -> None:
    d = {x["payer_id"]: x for x in truth["deadlines"]}
    assert d["BSH"]["expiration_date"] == "2027-03-31"
    assert d["BSH"]["notice_deadline"] == "2026-12-31"
    assert d["BSH"]["days_until_notice_deadline"] == 34
    assert all(x["notice_deadline"] >= truth["reference_date"] for x in d.values())


def test_injection_is_in_the_document(sample_dir: Path, truth: dict[str, Any]) -> None:
    inj = truth["injection"]
    pages = _pdf_pages(sample_dir / inj["file"])
    assert inj["text"] in pages[inj["page"] - 1]
    assert inj["true_value"]["value"] != 365


def test_scanned_page_has_no_text(sample_dir: Path) -> None:
    pages = _pdf_pages(sample_dir / "contracts/ESP_Evergreen_Select_Network_Agreement.pdf")
    last = pages[-1].replace("ESP-2025-0056 | Confidential", "")
    assert re.fullmatch(r"\s*Page \d+\s*", last)


def test_notes_and_emails(sample_dir: Path, truth: dict[str, Any]) -> None:
    import email
    from email import policy

    for fact in truth["notes_facts"]:
        path = sample_dir / fact["file"]
        if path.suffix == ".eml":
            msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            assert msg["From"] and msg["To"] and msg["Date"] and msg["Subject"]
            body = msg.get_body(preferencelist=("plain",)).get_content()
            assert fact["text"] in _norm(body)
        else:
            assert fact["text"] in path.read_text(encoding="utf-8")


def test_medicare_benchmark_matches_shared_mpfs(sample_dir: Path) -> None:
    shared = Path("/work/shared/data/mpfs/medicare_pfs_2025_national.csv")
    if not shared.exists():
        pytest.skip("shared MPFS file not available")
    ref = {r["hcpcs"]: r for r in csv.DictReader(io.StringIO(shared.read_text()))}
    with (sample_dir / "data/medicare_benchmark.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 12
    for r in rows:
        assert float(r["nonfacility_rate"]) == float(ref[r["code"]]["nonfacility_amount"])
        assert float(r["facility_rate"]) == float(ref[r["code"]]["facility_amount"])
        assert r["year"] == "2025" and r["locality"] == "national"
