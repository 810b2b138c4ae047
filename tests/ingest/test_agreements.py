"""Real-world payer agreements: OCR page markers, W-9 and fax covers before the preamble,
OCR noise in headings, several programs (Medicaid, Medicare Advantage, Exchange) with their
own terms. The fixtures in tests/fixtures/agreements are written for these tests."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from assistant.settings import Settings
from ingest.chunking import chunk_document, match_heading, page_of
from ingest.clauses import tag_clauses
from ingest.metadata import describe, doc_type_of, title_of
from ingest.parsers import ParsedDoc, parse_file
from ingest.parsers.text import parse_text
from ingest.parties import parties_of, payer_party
from ingest.programs import mentions, program_at, program_of_heading
from ingest.terms import Term, extract_terms, quantities

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "agreements"
TAMARACK = FIXTURES / "tamarack_valley_participating_provider_agreement.md"
JUNIPER = FIXTURES / "juniper_coast_provider_services_agreement.txt"

# (term, program) -> value, read off the fixture by hand.
TAMARACK_TERMS = {
    ("effective_date", ""): "2025-01-01",
    ("payer_amendment_notice_days", ""): 60,
    ("timely_filing_days", ""): 180,
    ("timely_filing_days", "Medicaid"): 120,
    ("timely_filing_days", "Medicare Advantage"): 90,
    ("clean_claim_payment_days", ""): 45,
    ("clean_claim_payment_days", "Medicaid"): 30,
    ("clean_claim_payment_days", "Medicare Advantage"): 30,
    ("prompt_pay_interest_pct", ""): 12,  # one percent (1%) per month
    ("prompt_pay_interest_pct", "Medicaid"): 18,
    ("appeal_window_days", ""): 90,
    ("appeal_window_days", "Medicare Advantage"): 60,
    ("initial_term_months", ""): 36,
    ("renewal_term_months", ""): 12,
    ("auto_renewal", ""): "true",
    ("non_renewal_notice_days", ""): 90,
    ("termination_without_cause_days", ""): 180,  # "(l80)" in the OCR text
    ("termination_without_cause_days", "Medicare Advantage"): 90,
    ("fee_schedule_basis", ""): "Fee schedule per code (Attachment A)",
    ("fee_schedule_basis", "Medicaid"): "100% of Medicaid",
    ("fee_schedule_basis", "Medicare Advantage"): "100% of Medicare",
    ("mfn_present", ""): "false",
}
JUNIPER_TERMS = {
    ("effective_date", ""): "2024-07-01",
    ("timely_filing_days", "Medicaid"): 120,
    ("timely_filing_days", "Medicare Advantage"): 365,  # "one (1) year"
    ("timely_filing_days", "Exchange"): 180,
    ("clean_claim_payment_days", ""): 30,
    ("clean_claim_payment_days", "Exchange"): 20,
    ("prompt_pay_interest_pct", ""): 18,  # 1.5% per month
    ("appeal_window_days", ""): 365,  # the Members' 60-day appeal is not the provider's
    ("initial_term_months", ""): 24,
    ("renewal_term_months", ""): 12,
    ("auto_renewal", ""): "true",
    ("non_renewal_notice_days", ""): 120,
    ("termination_without_cause_days", ""): 180,
    ("mfn_present", ""): "true",
    ("fee_schedule_basis", "Medicare Advantage"): "105% of Medicare 2024",
}


def _value(t: Term) -> object:
    return int(t.value_num) if t.value_num is not None and t.term.endswith(
        ("_days", "_months", "_pct")
    ) else t.value_text


def _extract(doc: ParsedDoc, path: Path) -> tuple[list[Term], list]:
    meta = describe(path, doc)
    chunks = chunk_document(doc, title=meta.title)
    tags = [tag_clauses(c.text, c.heading) for c in chunks]
    return extract_terms(chunks, tags, meta.effective_date, meta.doc_type == "contract"), chunks


def render_pdf(markdown: str, path: Path) -> Path:
    """The OCR Markdown as a text-layer PDF, one PDF page per ``--- Page N ---`` page."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    pages = [p for p in re.split(r"(?m)^--- Page \d+ ---\s*$", markdown) if p.strip()]
    c = canvas.Canvas(str(path), pagesize=letter, invariant=1)
    for page in pages:
        c.setFont("Helvetica", 9)
        y = 740
        for line in page.strip("\n").splitlines():
            c.drawString(54, y, line.replace("#", "").strip("*"))
            y -= 12
        c.showPage()
    c.save()
    return path


@pytest.fixture(scope="module")
def tamarack() -> ParsedDoc:
    return parse_text(TAMARACK.read_bytes(), markdown=True)


@pytest.fixture(scope="module")
def juniper() -> ParsedDoc:
    return parse_text(JUNIPER.read_bytes())


def test_ocr_page_markers_give_pages_and_are_not_content(tamarack: ParsedDoc) -> None:
    text = tamarack.text
    assert tamarack.pages == 11
    assert "--- Page" not in text
    assert page_of(tamarack.page_offsets, text.index("Name According to W-9")) == 1
    assert page_of(tamarack.page_offsets, text.index("This Participating Provider")) == 2
    assert page_of(tamarack.page_offsets, text.index("ATTACHMENT B - MEDICAID")) == 9
    assert page_of(tamarack.page_offsets, text.index("C.4 Termination")) == 11
    # the running header on every page is gone; hyphenated line breaks are joined
    assert "Participating Provider Agreement          CONFIDENTIAL" not in text
    assert "such reimbursement changes" in text and "licensed to practice medicine" in text


def test_page_footers_and_form_feeds_give_pages(juniper: ParsedDoc) -> None:
    assert juniper.pages == 4
    assert not re.search(r"Page \d of 6", juniper.text)
    assert page_of(juniper.page_offsets, juniper.text.index("THIS PROVIDER SERVICES")) == 2
    assert page_of(juniper.page_offsets, juniper.text.index("2.2 Payment")) == 3
    fed = parse_text(b"First page text.\n\x0cSecond page text.\n\x0cThird page.\n")
    assert fed.pages == 3 and "\x0c" not in fed.text
    assert fed.text[fed.page_offsets[2] :].startswith("Third page.")
    plain = parse_text(b"A note without pages.\n\nPage 2 is mentioned once.\n")
    assert plain.pages == 1


def test_headings_survive_ocr_noise() -> None:
    cases = {
        "ARTICLE Ill": ("Article III", ""),
        "ARTICLE IV.": ("Article IV", ""),
        "ARTlCLE Vl - CLAIMS PAYMENT": ("Article VI", "CLAIMS PAYMENT"),
        "## **ARTICLE VII** APPEALS": ("Article VII", "APPEALS"),
        "Section 6. l Prompt Payment.": ("Section 6.1", "Prompt Payment"),
        "SECTlON 2. CLAIMS": ("Section 2", "CLAIMS"),
        "6.l Payment of Clean Claims. Health Plan shall pay": ("6.1", "Payment of Clean Claims"),
        "6. 2 Prompt Payment.": ("6.2", "Prompt Payment"),
        "B.2 Timely Filing. Provider shall submit": ("B.2", "Timely Filing"),
        "ATTACHMENT B - MEDICAID PROGRAM": ("Attachment B", "MEDICAID PROGRAM"),
        "Appendix C: Medicare Advantage Program": ("Appendix C", "Medicare Advantage Program"),
    }
    for line, expected in cases.items():
        h = match_heading(line)
        assert h is not None and (h.section, h.heading) == expected, (line, h)
    for line in ("Section 6.1, Health Plan shall pay interest", "Article 5 of this Agreement applies"):
        assert match_heading(line) is None, line


def test_sections_of_a_real_agreement(tamarack: ParsedDoc) -> None:
    chunks = chunk_document(tamarack, title="Tamarack PPA")
    for c in chunks:
        assert tamarack.text[c.char_start : c.char_end] == c.text
    by_section = {c.section: c for c in chunks}
    assert {"1.1", "3.3", "5.2", "6.1", "6.2", "6.3", "8.2", "B.2", "C.2"} <= set(by_section)
    assert by_section["6.3"].heading == "Submission and Adjudication of Medicare Advantage Claims"
    assert by_section["6.3"].parent == "Article VI CLAIMS PAYMENT"
    assert by_section["3.3"].parent == "Article III HEALTH PLAN OBLIGATIONS"
    assert by_section["B.2"].part == "Attachment B MEDICAID PROGRAM"
    assert "Attachment B MEDICAID PROGRAM" in by_section["B.2"].context
    assert by_section["C.2"].part == "Attachment C MEDICARE ADVANTAGE PROGRAM"
    assert by_section["B.2"].page_start == 9 and by_section["C.2"].page_start == 10


def test_doc_type_from_content(tamarack: ParsedDoc, juniper: ParsedDoc, tmp_path: Path) -> None:
    assert doc_type_of(TAMARACK, tamarack, tamarack.text[:6000], title_of(TAMARACK, tamarack)) == "contract"
    assert doc_type_of(JUNIPER, juniper, juniper.text[:6000], title_of(JUNIPER, juniper)) == "contract"
    from tests.ingest.test_job import NOTE

    for name in ("renewal_prep.md", "renewal_prep.txt"):
        note = parse_text(NOTE.encode(), markdown=name.endswith(".md"))
        assert doc_type_of(Path(name), note, note.text, title_of(Path(name), note)) == "note", name
    amendment = (
        "# FIRST AMENDMENT TO PARTICIPATING PROVIDER AGREEMENT\n\n"
        "This First Amendment is entered into by and between Tamarack Valley Health Plan, Inc. "
        '("Health Plan") and Birchwood Family Orthopedics, P.A. ("Provider") and is effective '
        "as of July 1, 2026.\n\n1. Section B.2 of Attachment B is amended so that Provider shall "
        "submit claims within ninety (90) days from the date of service.\n\n"
        "IN WITNESS WHEREOF, the parties have signed this Amendment.\n"
    )
    doc = parse_text(amendment.encode(), markdown=True)
    path = tmp_path / "scan_0042.md"
    assert doc_type_of(path, doc, doc.text, title_of(path, doc)) == "amendment"


def test_title_counterparty_date_and_number(tamarack: ParsedDoc, juniper: ParsedDoc) -> None:
    meta = describe(TAMARACK, tamarack)
    assert meta.title == "TAMARACK VALLEY HEALTH PLAN PARTICIPATING PROVIDER AGREEMENT"
    assert meta.payer_name == "Tamarack Valley Health Plan, Inc."
    assert meta.effective_date == dt.date(2025, 1, 1)
    assert meta.contract_id == "TVHP-PPA-2025-0457"
    meta = describe(JUNIPER, juniper)
    assert meta.title == "PROVIDER SERVICES AGREEMENT"
    assert meta.payer_name == "Coastal Holdings Group, LLC"
    assert meta.effective_date == dt.date(2024, 7, 1)


@pytest.mark.parametrize(
    ("preamble", "payer", "dba"),
    [
        ('This Agreement is made by and between Harbor Pediatrics, P.C. ("Provider") and Lone Pine '
         'Health Plan, Inc., a Nevada corporation ("Plan").', "Lone Pine Health Plan, Inc.", ""),
        ("THIS AGREEMENT is entered into between Granite HMO, Inc. (hereinafter referred to as "
         "'HMO') and Dr. Ana Ruiz, M.D. ('Physician').", "Granite HMO, Inc.", ""),
        ("This Medicaid Provider Agreement is made between ACME Holdings, Inc. d/b/a Prairie "
         "Community Care, on behalf of itself and its affiliates (\u201cMCO\u201d) and the provider "
         "named below (\u201cProvider\u201d).", "ACME Holdings, Inc.", "Prairie Community Care"),
        ("This Network Agreement is entered into between Sunrise Health Partners, Inc. and "
         "Dr. Jane Roe, M.D. effective as of March 1, 2022.", "Sunrise Health Partners, Inc.", ""),
    ],
)
def test_payer_party_from_preambles(preamble: str, payer: str, dba: str) -> None:
    party = payer_party(parties_of("W-9 Request for Taxpayer Identification\n\n" + preamble))
    assert party is not None and party.name == payer and party.dba == dba


def test_programs_of_headings_and_sentences() -> None:
    assert program_of_heading("ATTACHMENT B - MEDICAID PROGRAM") == "Medicaid"
    assert program_of_heading("6.3 Submission and Adjudication of Medicare Advantage Claims") == (
        "Medicare Advantage"
    )
    assert program_of_heading("Compensation at 110% of Medicare") == ""
    assert program_of_heading("Medicaid and Medicare Advantage Claims") == ""
    assert not mentions("paid at one hundred percent (100%) of the Medicare fee schedule")
    assert not mentions("Except for Medicaid Members, claims are due within 90 days.")
    sentence = ("Claims are due within one hundred twenty (120) days for Medicaid Members and within "
                "ninety (90) days for Medicare Advantage Members.")
    positions = [p for _, _, p in quantities(sentence)]
    assert [program_at(sentence, p, positions, "") for p in positions] == [
        "Medicaid", "Medicare Advantage"]


@pytest.mark.parametrize(("path", "expected"), [(TAMARACK, TAMARACK_TERMS), (JUNIPER, JUNIPER_TERMS)])
def test_terms_with_their_programs(path: Path, expected: dict) -> None:
    doc = parse_text(path.read_bytes(), markdown=path.suffix == ".md")
    terms, _ = _extract(doc, path)
    got = {(t.term, t.program): _value(t) for t in terms}
    assert {k: got.get(k) for k in expected} == expected
    for t in terms:
        if t.chunk is not None:
            assert " ".join(t.quote.split()) in " ".join(t.chunk.text.split())
    tf = next(t for t in terms if (t.term, t.program) == ("timely_filing_days", "Medicaid"))
    assert tf.chunk is not None and tf.chunk.section in ("B.2", "2.1")


def test_text_layer_pdf_reads_like_the_ocr_markdown(tmp_path: Path) -> None:
    pdf = render_pdf(TAMARACK.read_text(encoding="utf-8"), tmp_path / "Tamarack_PPA_2025.pdf")
    doc = parse_file(pdf, Settings(data_dir=tmp_path / "data", parse_timeout_s=60))
    assert doc.format == "pdf" and doc.pages == 11
    meta = describe(pdf, doc)
    assert meta.doc_type == "contract"
    assert "W-9" not in meta.title and "PARTICIPATING PROVIDER AGREEMENT" in meta.title
    assert meta.payer_name == "Tamarack Valley Health Plan, Inc."
    assert meta.effective_date == dt.date(2025, 1, 1)
    terms, chunks = _extract(doc, pdf)
    got = {(t.term, t.program): _value(t) for t in terms}
    assert {k: got.get(k) for k in TAMARACK_TERMS} == TAMARACK_TERMS
    assert {"6.1", "6.3", "B.2", "C.2"} <= {c.section for c in chunks}
