"""Structure-aware chunking."""

from __future__ import annotations

from ingest.chunking import chunk_document, match_heading
from ingest.parsers import ParsedDoc
from ingest.parsers.text import parse_text
from tests.ingest.helpers import CONTRACT


def test_heading_patterns() -> None:
    cases = {
        "ARTICLE 7 TERM AND TERMINATION": ("Article 7", "TERM AND TERMINATION"),
        "Article IV - Compensation": ("Article IV", "Compensation"),
        "Section 7.2 Timely Filing.": ("Section 7.2", "Timely Filing"),
        "7.2 Timely Filing. Provider shall submit claims": ("7.2", "Timely Filing"),
        "§ 4.3 Appeals": ("§ 4.3", "Appeals"),
        "EXHIBIT A - FEE SCHEDULE": ("Exhibit A", "FEE SCHEDULE"),
        "## 3. Our asks": ("3", "Our asks"),
        "GOVERNING LAW": ("", "GOVERNING LAW"),
    }
    for line, (section, heading) in cases.items():
        h = match_heading(line)
        assert h is not None, line
        assert (h.section, h.heading) == (section, heading), line
    for line in ("30 days after receipt", "12 March 1998", "Provider shall submit claims."):
        assert match_heading(line) is None, line


def test_chunks_follow_sections_and_offsets() -> None:
    doc = parse_text(CONTRACT.encode())
    chunks = chunk_document(doc, title="Northwind PPA")
    sections = [c.section for c in chunks]
    assert "1.2" in sections and "2.1" in sections and "3.3" in sections
    for c in chunks:
        assert doc.text[c.char_start : c.char_end] == c.text
        assert c.context.startswith("Northwind PPA")
    tf = next(c for c in chunks if c.section == "2.1")
    assert tf.heading == "Timely Filing" and "Article 2 CLAIMS" in tf.context


def test_long_section_splits_at_paragraphs_with_heading_context() -> None:
    body = "\n\n".join(f"Paragraph {i}. " + "The provider shall comply. " * 12 for i in range(12))
    doc = parse_text(f"5.1 Compliance. Intro.\n\n{body}\n".encode())
    chunks = chunk_document(doc, max_chars=800)
    assert len(chunks) > 3
    assert all(c.char_end - c.char_start <= 800 for c in chunks)
    assert all(c.section == "5.1" for c in chunks)
    assert all("5.1 Compliance" in c.embed_text for c in chunks)
    assert all(c.text.startswith(("5.1", "Paragraph")) for c in chunks)


def test_tables_are_kept_whole() -> None:
    rows = "\n".join(f"9921{i} | ${90 + i}.00 | office visit level {i}" for i in range(40))
    text = f"EXHIBIT A FEE SCHEDULE\n\nCode | Rate | Description\n{rows}\n\nEnd of exhibit text.\n"
    start = text.index("Code |")
    end = text.index("\n\nEnd")
    doc = ParsedDoc(text=text, format="docx", table_spans=[(start, end)])
    chunks = chunk_document(doc, max_chars=500)
    table_chunks = [c for c in chunks if "Code | Rate" in c.text]
    assert len(table_chunks) == 1 and "99219 | $99.00" in table_chunks[0].text
    assert table_chunks[0].section == "Exhibit A"


def test_pages_are_recorded() -> None:
    doc = ParsedDoc(
        text="1.1 Term. One.\n\n1.2 Renewal. Two.\n\n", format="pdf", page_offsets=[0, 16]
    )
    chunks = chunk_document(doc)
    assert chunks[0].page_start == 1
    assert chunks[-1].page_end == 2
