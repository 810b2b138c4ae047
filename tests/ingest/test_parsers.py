"""Parsers: format sniffing, text encodings, e-mail, DOCX, PDF pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import IngestError
from assistant.settings import Settings
from ingest.parsers import parse_file, sniff_format
from ingest.parsers.eml import parse_eml
from ingest.parsers.text import decode_bytes, parse_text
from tests.ingest.helpers import CONTRACT, make_pdf


def test_sniff_checks_content_not_only_extension() -> None:
    assert sniff_format(Path("a.pdf"), b"%PDF-1.7\n") == "pdf"
    with pytest.raises(IngestError, match="not a PDF"):
        sniff_format(Path("a.pdf"), b"hello")
    with pytest.raises(IngestError, match="not a DOCX"):
        sniff_format(Path("a.docx"), b"%PDF-1.4")
    with pytest.raises(IngestError, match="does not match"):
        sniff_format(Path("a.txt"), b"%PDF-1.4")
    assert sniff_format(Path("n.md"), b"# hi") == "markdown"


def test_decode_utf8_then_cp1252_with_note() -> None:
    assert decode_bytes("naïve".encode()) == ("naïve", [])
    text, notes = decode_bytes("“quoted” café".encode("cp1252"))
    assert text == "“quoted” café" and "Windows-1252" in notes[0]
    text, notes = decode_bytes(b"\x81\x8d caf\xe9")  # undefined in cp1252
    assert "Latin-1" in notes[0] and text.endswith("café")


def test_markdown_headings_are_hinted() -> None:
    doc = parse_text(b"# Title\n\ntext\n\n## Part\n\nmore\n", markdown=True)
    assert doc.heading_offsets == [0, doc.text.index("## Part")]


def test_eml_headers_and_plain_body() -> None:
    raw = (
        b"From: Dana <dana@northwind.example>\r\nTo: ops@clinic.example\r\n"
        b"Subject: Re: fee schedule\r\nDate: Tue, 04 Mar 2025 10:00:00 -0500\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nWe can offer 104% of Medicare.\r\n"
    )
    doc = parse_eml(raw)
    assert doc.metadata["subject"] == "Re: fee schedule"
    assert "104% of Medicare" in doc.text and doc.text.startswith("Subject: Re: fee schedule")


def test_eml_html_only_is_stripped() -> None:
    raw = (
        b"Subject: rates\r\nContent-Type: text/html\r\n\r\n"
        b"<html><style>p{}</style><body><p>Offer: <b>105%</b></p><p>Reply soon</p></body></html>"
    )
    doc = parse_eml(raw)
    assert "Offer: 105%" in doc.text and "<b>" not in doc.text and "p{}" not in doc.text


def test_docx_headings_paragraphs_and_tables(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_heading("Compensation", level=1)
    d.add_paragraph("Payer shall pay the rates in the table below.")
    table = d.add_table(rows=3, cols=2)
    for r, (code, rate) in enumerate([("CPT", "Rate"), ("99213", "$92.10"), ("99214", "$131.40")]):
        table.rows[r].cells[0].text = code
        table.rows[r].cells[1].text = rate
    path = tmp_path / "c.docx"
    d.save(str(path))
    doc = parse_file(path, Settings(data_dir=tmp_path))
    assert doc.format == "docx"
    assert doc.text[doc.heading_offsets[0] :].startswith("Compensation")
    start, end = doc.table_spans[0]
    assert doc.text[start:end] == "CPT | Rate\n99213 | $92.10\n99214 | $131.40"


def test_pdf_pages_and_offsets(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "c.pdf", [CONTRACT[:600], "Page two text about appeals."])
    doc = parse_file(pdf, Settings(data_dir=tmp_path))
    assert doc.pages == 2
    assert doc.text[doc.page_offsets[1] :].startswith("Page two text")
