"""Export a rendered dispute letter (the small Markdown subset of ``prompts/dispute.md``:
headings, paragraphs, pipe tables, block quotes, ``**bold**``) to DOCX and PDF, so the
letter's words live only in the prompt file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def parse_blocks(md: str) -> list[tuple[str, Any]]:
    """Markdown → [(kind, payload)]: ('h1'|'h2', text), ('p', text), ('quote', text),
    ('table', rows of cells)."""
    out: list[tuple[str, Any]] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            out.append(("p", " ".join(para) if not all(p.startswith("**") for p in para)
                        else "\n".join(para)))
            para.clear()

    table: list[list[str]] = []
    for raw in md.splitlines():
        line = raw.rstrip()
        if line.startswith("|"):
            flush()
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not all(re.fullmatch(r"-+", c) for c in cells if c):
                table.append(cells)
            continue
        if table:
            out.append(("table", table))
            table = []
        if not line.strip():
            flush()
        elif line.startswith("## "):
            flush()
            out.append(("h2", line[3:].strip()))
        elif line.startswith("# "):
            flush()
            out.append(("h1", line[2:].strip()))
        elif line.startswith(">"):
            flush()
            text = line.lstrip("> ").strip()
            if out and out[-1][0] == "quote":
                out[-1] = ("quote", f"{out[-1][1]}\n{text}")
            else:
                out.append(("quote", text))
        else:
            para.append(line.strip())
    flush()
    if table:
        out.append(("table", table))
    return out


def _runs(text: str) -> list[tuple[str, bool]]:
    """Text split into (piece, bold) runs."""
    parts = _BOLD.split(text)
    return [(p, i % 2 == 1) for i, p in enumerate(parts) if p]


def write_docx(md: str, path: Path) -> Path:
    """Write the letter as a Word document."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.styles["Normal"].font.size = Pt(10)
    for kind, payload in parse_blocks(md):
        if kind in ("h1", "h2"):
            doc.add_heading(_BOLD.sub(r"\1", payload), level=1 if kind == "h1" else 2)
        elif kind == "table":
            table = doc.add_table(rows=len(payload), cols=len(payload[0]))
            table.style = "Table Grid"
            # one pass over the rows (cell lookups by index are quadratic in python-docx)
            for tr, row in zip(table.rows, payload, strict=False):
                for cell, text in zip(tr.cells, row, strict=False):
                    cell.text = _BOLD.sub(r"\1", text)
        else:
            p = doc.add_paragraph(style="Quote" if kind == "quote" else None)
            for i, line in enumerate(payload.split("\n")):
                if i:
                    p.add_run().add_break()
                for piece, bold in _runs(line):
                    p.add_run(piece).bold = bold
    doc.save(str(path))
    return path


def _pdf_text(text: str) -> str:
    from xml.sax.saxutils import escape

    return _BOLD.sub(r"<b>\1</b>", escape(text)).replace("\n", "<br/>")


def write_pdf(md: str, path: Path) -> Path:
    """Write the letter as a PDF (reportlab platypus)."""
    from reportlab.lib import colors  # type: ignore[import-untyped]
    from reportlab.lib.pagesizes import letter  # type: ignore[import-untyped]
    from reportlab.lib.styles import getSampleStyleSheet  # type: ignore[import-untyped]
    from reportlab.lib.units import inch  # type: ignore[import-untyped]
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle  # type: ignore[import-untyped]

    styles = getSampleStyleSheet()
    quote = styles["BodyText"].clone("quote", leftIndent=18, textColor=colors.HexColor("#333333"),
                                     fontName="Helvetica-Oblique")
    story: list[Any] = []
    for kind, payload in parse_blocks(md):
        if kind == "h1":
            story.append(Paragraph(_pdf_text(payload), styles["Title"]))
        elif kind == "h2":
            story.append(Paragraph(_pdf_text(payload), styles["Heading2"]))
        elif kind == "table":
            # plain strings, not a Paragraph per cell: tables can have 10,000+ rows
            data = [[_BOLD.sub(r"\1", c) for c in row] for row in payload]
            style = [("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                     ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                     ("FONTSIZE", (0, 0), (-1, -1), 7.5), ("LEADING", (0, 0), (-1, -1), 9),
                     ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                     ("VALIGN", (0, 0), (-1, -1), "TOP")]
            if payload[-1] and payload[-1][0].startswith("**"):
                style.append(("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"))
            t = Table(data, repeatRows=1, colWidths=[7.0 * inch / len(payload[0])]
                      * len(payload[0]))
            t.setStyle(TableStyle(style))
            story.append(t)
        else:
            story.append(Paragraph(_pdf_text(payload), quote if kind == "quote"
                                   else styles["BodyText"]))
        story.append(Spacer(1, 4))
    SimpleDocTemplate(str(path), pagesize=letter, leftMargin=0.75 * inch,
                      rightMargin=0.75 * inch, topMargin=0.75 * inch,
                      bottomMargin=0.75 * inch).build(story)
    return path
