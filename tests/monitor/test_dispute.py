"""The dispute letter for the planted underpayment: exactly the affected lines, the right
appeal deadline, the clauses, DOCX and PDF that open, no patient identifiers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import InputError, NotFoundError
from assistant.monitor.dispute import draft_dispute


@pytest.fixture(scope="module")
def drafted(monitored: tuple[Any, Any], practice: Any,
            tmp_path_factory: pytest.TempPathFactory) -> Any:
    settings, report = monitored
    truth = practice.truth["planted"]["underpayment"]
    und = next(f for f in report.new if f.kind == "underpayment")
    return draft_dispute(settings, practice.payer_name(truth["payer_id"]),
                         finding_ids=[und.finding_id], formats=("md", "docx", "pdf"),
                         out_dir=tmp_path_factory.mktemp("letters"))


def _docx_text(path: str) -> str:
    from docx import Document

    doc = Document(path)
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def _pdf_text(path: str) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() or "" for p in PdfReader(path).pages)


def test_letter_lists_exactly_the_underpaid_lines(drafted: Any, practice: Any,
                                                  claim_rows: list[dict[str, str]]) -> None:
    truth = practice.truth["planted"]["underpayment"]
    expected = sorted((r["claim_id"], int(r["line_no"])) for r in claim_rows
                      if r["payer_id"] == truth["payer_id"] and r["code"] == truth["code"]
                      and r["date_of_service"] >= truth["start_date"] and r["status"] != "denied"
                      and float(r["allowed"]) < truth["contract_rate"] * float(r["units"]) - 0.01)
    assert sorted((ln.claim_id, ln.line_no) for ln in drafted.underpaid_lines) == expected
    assert drafted.total_short == pytest.approx(truth["total_short"], abs=0.005)
    table_rows = [ln for ln in drafted.markdown.splitlines()
                  if ln.startswith("| ") and truth["code"] in ln and "LOC" in ln]
    assert len(table_rows) == len(expected)
    others = {r["claim_id"] for r in claim_rows} - {c for c, _ in expected}
    assert not [c for c in others if c in drafted.markdown]
    assert f"{truth['total_short']:,.2f}" in drafted.markdown


def test_appeal_deadline_from_contract_window(drafted: Any, practice: Any,
                                              claim_rows: list[dict[str, str]]) -> None:
    truth = practice.truth["planted"]["underpayment"]
    window = next(t["value"] for t in practice.truth["terms"]
                  if t["payer_id"] == truth["payer_id"] and t["term"] == "appeal_window_days")
    keys = {(ln.claim_id, ln.line_no) for ln in drafted.underpaid_lines}
    due = sorted(dt.date.fromisoformat(r["paid_date"]) + dt.timedelta(days=int(window))
                 for r in claim_rows if (r["claim_id"], int(r["line_no"])) in keys)
    open_due = [d for d in due if d >= practice.as_of]
    assert drafted.appeal_window_days == int(window)
    assert drafted.appeal_deadline == (open_due[0] if open_due else None)
    if open_due:
        assert f"**{open_due[0].isoformat()}**" in drafted.markdown
    appeal = next(c for c in practice.truth["clauses"] if c["payer_id"] == truth["payer_id"]
                  and c["clause_type"] == "appeals")
    assert appeal["section"] in drafted.markdown
    assert " ".join(appeal["quote"].split()) in " ".join(drafted.markdown.split())


def test_letter_quotes_the_rate_clause(drafted: Any, practice: Any) -> None:
    truth = practice.truth["planted"]["underpayment"]
    amendment = [c for c in practice.truth["clauses"] if c["payer_id"] == truth["payer_id"]
                 and c["clause_type"] == "fee_schedule" and "Amendment" in c["file"]]
    flat = " ".join(drafted.markdown.split())
    for c in amendment:
        assert " ".join(c["quote"].split()) in flat
        assert f"{c['section']}, page {c['page']}" in flat


def test_docx_and_pdf_open_without_patient_ids(drafted: Any,
                                               claim_rows: list[dict[str, str]]) -> None:
    texts = {"md": Path(drafted.files["md"]).read_text(encoding="utf-8"),
             "docx": _docx_text(drafted.files["docx"]), "pdf": _pdf_text(drafted.files["pdf"])}
    first = drafted.underpaid_lines[0].claim_id
    patients = {r["patient_id"] for r in claim_rows}
    for kind, text in texts.items():
        assert first in text, kind
        assert "Appeal deadline" in text, kind
        assert not [p for p in patients if p in text], kind
    assert "MRN" not in json.dumps(drafted.model_dump(mode="json"))


def test_dispute_errors(monitored: tuple[Any, Any], tmp_path: Path) -> None:
    settings, report = monitored
    deadline = next(f for f in report.new if f.kind == "deadline")
    with pytest.raises(InputError):
        draft_dispute(settings, deadline.payer_id or "", finding_ids=[deadline.finding_id],
                      out_dir=tmp_path)
    with pytest.raises(NotFoundError):
        draft_dispute(settings, "KHP", finding_ids=["UND-000000000000"], out_dir=tmp_path)
    with pytest.raises(InputError):
        draft_dispute(settings, "KHP", formats="md,rtf", out_dir=tmp_path)
