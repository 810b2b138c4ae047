"""Fee-schedule rows and rate rules read from contract text: every table layout contracts
use, as text and as real PDFs (reportlab, parsed by the project's PDF parser) and DOCX."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from assistant.settings import Settings
from ingest.fee_rules import extract_fees
from ingest.parsers import ParsedDoc, parse_file


def _text(body: str) -> ParsedDoc:
    return ParsedDoc(text=body, format="text")


def _by_code(rows) -> dict:  # type: ignore[no-untyped-def]
    return {(r.code, tuple(r.modifiers)): r for r in rows}


PIPE = """PARTICIPATING PROVIDER AGREEMENT

EXHIBIT A - COMPENSATION

Commercial Products

| CPT/HCPCS | Mod | Description | Rate |
|-----------|-----|-------------|------|
| 99213 |  | Office/outpatient visit, established, low | $99.62 |
| 99214 | 25 | Office/outpatient visit, established, moderate | $140.15 |
| G0439 |  | Annual wellness visit, subsequent | 130.00 |
| 0042T |  | Cerebral perfusion analysis | $1,050.00 |
"""


def test_pipe_table_with_modifiers_program_and_quotes() -> None:
    rows = _by_code(extract_fees(_text(PIPE)).rows)
    assert set(rows) == {("99213", ()), ("99214", ("25",)), ("G0439", ()), ("0042T", ())}
    r = rows[("99214", ("25",))]
    assert r.rate == Decimal("140.15")
    assert r.description == "Office/outpatient visit, established, moderate"
    assert r.section == "Exhibit A" and r.page == 1 and r.program == "Commercial"
    assert r.quote == "| 99214 | 25 | Office/outpatient visit, established, moderate | $140.15 |"
    assert r.quote in PIPE
    assert rows[("0042T", ())].rate == Decimal("1050.00")


ALIGNED = """SCHEDULE 1 - PROFESSIONAL FEE SCHEDULE
Medicaid Program

CPT Code   Modifier   Description                          Non-Facility   Facility
99203                 New patient visit, low                     $110.25     $79.25
99204                 New patient visit, moderate                $165.00    $129.06
20610      RT         Arthrocentesis, major joint;                $63.40     $45.10
                      without ultrasound guidance
97110      GP         Therapeutic exercise, each 15 minutes        $31.05        N/A
"""


def test_aligned_columns_pick_non_facility_and_keep_both() -> None:
    rows = _by_code(extract_fees(_text(ALIGNED)).rows)
    r = rows[("99204", ())]
    assert (r.rate, r.facility_rate) == (Decimal("165.00"), Decimal("129.06"))
    assert "non-facility" in r.basis
    assert r.columns == {"Non-Facility": Decimal("165.00"), "Facility": Decimal("129.06")}
    wrapped = rows[("20610", ("RT",))]
    assert wrapped.description == ("Arthrocentesis, major joint; without ultrasound guidance")
    assert "without ultrasound guidance" in wrapped.quote
    therapy = rows[("97110", ("GP",))]
    assert therapy.rate == Decimal("31.05") and therapy.facility_rate is None
    assert {r.program for r in rows.values()} == {"Medicaid"}
    assert {r.section for r in rows.values()} == {"Schedule 1"}


LEADERS = """ATTACHMENT B
Fee Schedule for Covered Services

99212 Office visit, established, straightforward ........... $54.99
99213 Office visit, established, low complexity ............ $88.95
99215 Office visit, established patient, high complexity,
      40 minutes or more ................................... $175.64
73721-TC MRI lower extremity joint, technical component ..... $160.00
"""


def test_dotted_leaders_and_wrapped_descriptions() -> None:
    rows = _by_code(extract_fees(_text(LEADERS)).rows)
    assert rows[("99212", ())].rate == Decimal("54.99")
    high = rows[("99215", ())]
    assert high.rate == Decimal("175.64")
    assert high.description == "Office visit, established patient, high complexity, 40 minutes or more"
    assert rows[("73721", ("TC",))].rate == Decimal("160.00")
    assert {r.section for r in rows.values()} == {"Attachment B"}


FALSE_POSITIVES = """PROVIDER AGREEMENT
1.1 Notices. Notices go to 12345 Main Street, Springfield, IL 62704, phone (217) 555-0199.
2025 was the first year; section 10.2 applies. Payer paid $4,500.00 in 2024.

12.3 Insurance. Provider keeps $1,000,000.00 per claim and $3,000,000.00 aggregate.
62704 Springfield Office ............ $250.00 deposit
Attn: Claims, PO Box 30012, Minneapolis MN 55440
"""


def test_addresses_years_phone_numbers_and_amounts_are_not_rates() -> None:
    ex = extract_fees(_text(FALSE_POSITIVES))
    assert ex.rows == []
    assert ex.rules == []


RULES = """ARTICLE 4 COMPENSATION
4.1 Professional Services. Payer shall reimburse Provider for Covered Services at one hundred
twelve percent (112%) of the 2025 Medicare Physician Fee Schedule for Locality 18 (Los Angeles),
non-facility amounts.
4.2 Services without a Medicare amount are paid at sixty percent (60%) of billed charges.
4.3 Payer shall pay interest at 1% per month on late Clean Claims.
4.4 Member coinsurance is 20% of the allowed amount.

ATTACHMENT C MEDICAID PROGRAM COMPENSATION
Medicaid: 100% of the State Medicaid fee schedule in effect on the date of service.

ATTACHMENT D MEDICARE ADVANTAGE
Payer shall pay 105% of the Medicare allowable in effect on the date of service.
"""


def test_rate_rules_by_reference() -> None:
    rules = extract_fees(_text(RULES)).rules
    kinds = [(r.kind, r.pct, r.program) for r in rules]
    assert kinds == [("medicare_pct", 112.0, ""), ("billed_pct", 60.0, ""),
                     ("unsupported", 100.0, "Medicaid"),
                     ("medicare_pct", 105.0, "Medicare Advantage")]
    mpfs = rules[0]
    assert (mpfs.year, mpfs.locality, mpfs.setting) == (2025, "18 (Los Angeles)", "nonfacility")
    assert mpfs.section == "4.1" and mpfs.quote.startswith("Payer shall reimburse")
    assert " ".join(mpfs.quote.split()) in " ".join(RULES.split())
    assert rules[2].section == "Attachment C" and "State Medicaid" in rules[2].note
    assert rules[3].year is None and rules[3].section == "Attachment D"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", parse_timeout_s=60, environment="test")


def test_ruled_table_pdf_as_pypdf_renders_it(tmp_path: Path, settings: Settings) -> None:
    """A reportlab grid table: pypdf gives one cell per line, a wrapped cell on several."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    ss = getSampleStyleSheet()
    data = [["CPT/HCPCS", "Mod", "Description", "Non-Facility", "Facility"],
            ["99213", "", "Office/outpatient visit, established, low", "$99.62", "$71.10"],
            ["99214", "25", Paragraph("Office/outpatient visit, established patient, moderate "
                                      "medical decision making, 30 minutes", ss["Normal"]),
             "$140.15", "$102.30"],
            ["G0439", "", "Annual wellness visit, subsequent", "$130.00", "$130.00"]]
    table = Table(data, colWidths=[65, 35, 230, 70, 60])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    path = tmp_path / "agreement.pdf"
    SimpleDocTemplate(str(path), pagesize=letter).build([
        Paragraph("PROVIDER AGREEMENT", ss["Title"]),
        Paragraph("Provider is located at 100 Lakeside Dr, Springfield, IL 62704.", ss["Normal"]),
        PageBreak(),
        Paragraph("EXHIBIT A - FEE SCHEDULE", ss["Heading1"]),
        Paragraph("Medicare Advantage Products", ss["Normal"]), table])
    doc = parse_file(path, settings)
    rows = _by_code(extract_fees(doc).rows)
    assert set(rows) == {("99213", ()), ("99214", ("25",)), ("G0439", ())}
    r = rows[("99214", ("25",))]
    assert (r.rate, r.facility_rate) == (Decimal("140.15"), Decimal("102.30"))
    assert r.description.startswith("Office/outpatient visit, established patient, moderate")
    assert r.description.endswith("30 minutes")
    assert (r.page, r.section, r.program) == (2, "Exhibit A", "Medicare Advantage")
    assert r.quote in doc.text


def test_aligned_and_leader_pdf(tmp_path: Path, settings: Settings) -> None:
    """Columns drawn at x positions (pypdf splits them into lines) and dotted leaders."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    path = tmp_path / "schedule.pdf"
    c = canvas.Canvas(str(path), pagesize=letter, invariant=1)
    y = 720
    c.drawString(72, y, "SCHEDULE B - PHYSICAL THERAPY RATES")
    y -= 24
    for code, mod, desc, rate in (("CPT", "Modifier", "Description", "Rate"),
                                  ("97110", "GP", "Therapeutic exercise, each 15 min", "$31.05"),
                                  ("97140", "GP", "Manual therapy techniques", "$28.77")):
        c.drawString(72, y, code)
        c.drawString(130, y, mod)
        c.drawString(190, y, desc)
        c.drawRightString(520, y, rate)
        y -= 14
    c.drawString(72, y - 10, "97530 Therapeutic activities .......................... $34.12")
    c.showPage()
    c.save()
    doc = parse_file(path, settings)
    rows = _by_code(extract_fees(doc).rows)
    assert rows[("97110", ("GP",))].rate == Decimal("31.05")
    assert rows[("97140", ("GP",))].description == "Manual therapy techniques"
    assert rows[("97530", ())].rate == Decimal("34.12")
    assert {r.section for r in rows.values()} == {"Schedule B"}


def test_docx_table(tmp_path: Path, settings: Settings) -> None:
    """python-docx table rendered by the DOCX parser as 'cell | cell' rows."""
    import docx

    d = docx.Document()
    d.add_heading("Exhibit 3 Compensation", level=1)
    d.add_paragraph("Exchange (Marketplace) products are paid the rates below.")
    t = d.add_table(rows=1, cols=5)
    for cell, text in zip(t.rows[0].cells, ("CPT Code", "Modifier", "Description",
                                            "Non-Facility Rate", "Facility Rate"), strict=True):
        cell.text = text
    for values in (("99213", "", "Office visit, established", "$95.10", "$70.00"),
                   ("73721", "26", "MRI lower extremity joint, professional", "$62.50", "$62.50"),
                   ("J1100", "", "Dexamethasone sodium phosphate, 1 mg", "$0.35", "")):
        cells = t.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    path = tmp_path / "exhibit.docx"
    d.save(str(path))
    doc = parse_file(path, settings)
    rows = _by_code(extract_fees(doc).rows)
    assert rows[("99213", ())].facility_rate == Decimal("70.00")
    assert rows[("73721", ("26",))].rate == Decimal("62.50")
    assert rows[("J1100", ())].rate == Decimal("0.35")
    assert {r.program for r in rows.values()} == {"Exchange"}
    assert {r.section for r in rows.values()} == {"Exhibit 3"}


def test_lesser_of_billed_and_parenthesised_percent() -> None:
    text = ("EXHIBIT 1 - REIMBURSEMENT\nPayer shall reimburse Covered Services at the lesser of "
            "(a) Provider's\nbilled charges or (b) one hundred fifteen (115) percent of the 2025 "
            "Medicare Physician Fee Schedule,\nnational, non-facility amount published by CMS.\n")
    (rule,) = extract_fees(_text(text)).rules
    assert (rule.kind, rule.pct, rule.year, rule.locality, rule.setting) == (
        "medicare_pct", 115.0, 2025, "national", "nonfacility")
    assert "lesser of billed" in rule.note and rule.section == "Exhibit 1"


def test_sample_practice_exhibits_match_its_ground_truth(tmp_path: Path, settings: Settings) -> None:
    """The generated sample's contracts (PDF, DOCX, TXT; benchmark and prior-rate columns)
    give exactly the fee schedule its ground truth records, per document."""
    import json

    from assistant.sample.generate import generate

    out = tmp_path / "sample"
    generate(out, seed=11, n_lines=200)
    truth = json.loads((out / "ground_truth.json").read_text())
    contracts = [d for d in truth["documents"] if d["doc_type"] in ("contract", "amendment")]
    assert len(contracts) >= 6
    for d in contracts:
        want = {f["code"]: f["rate"] for f in truth["fee_schedule"]
                if f["payer_id"] == d["payer_id"] and f["effective_from"] == d["effective_date"]}
        got = {r.code: float(r.rate) for r in extract_fees(parse_file(out / d["file"], settings)).rows}
        assert got == want, d["file"]
