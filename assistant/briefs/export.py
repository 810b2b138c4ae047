"""DOCX (python-docx) and PDF (reportlab) exports of a brief's Markdown.

The brief's Markdown is small and regular (headings, paragraphs, bullets, tables, quotes,
images), so a line-based block reader is enough; charts are embedded from the brief's
folder and the numbered Sources section is kept as the footnote list.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.briefs.models import Brief

IMG_LINE = re.compile(r"^!\[([^\]]*)\]\(([^)]+)\)\s*$")
BOLD = re.compile(r"\*\*(.+?)\*\*")
ITAL = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")
CODE = re.compile(r"`([^`]+)`")


@dataclass
class Block:
    """One block of the Markdown: heading, para, bullet, quote, table or image."""

    kind: str
    text: str = ""
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)


def blocks(markdown: str) -> list[Block]:
    """Split the brief's Markdown into blocks."""
    out: list[Block] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            out.append(Block("para", " ".join(para)))
            para.clear()

    for raw in markdown.splitlines():
        line = raw.rstrip()
        if not line.strip():
            flush()
            continue
        if m := re.match(r"^(#{1,4})\s+(.*)$", line):
            flush()
            out.append(Block("heading", m.group(2), level=len(m.group(1))))
        elif m := IMG_LINE.match(line):
            flush()
            out.append(Block("image", m.group(1), rows=[[m.group(2)]]))
        elif line.lstrip().startswith("|"):
            flush()
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                continue
            if out and out[-1].kind == "table":
                out[-1].rows.append(cells)
            else:
                out.append(Block("table", rows=[cells]))
        elif m := re.match(r"^\s*[-*]\s+(?:\[ \]\s+)?(.*)$", line):
            flush()
            out.append(Block("bullet", m.group(1), level=1 if raw.startswith("  ") else 0))
        elif line.startswith(">"):
            flush()
            out.append(Block("quote", line.lstrip("> ").strip()))
        else:
            para.append(line.strip())
    flush()
    return out


def plain(text: str) -> str:
    """Inline Markdown removed."""
    return CODE.sub(r"\1", ITAL.sub(r"\1", BOLD.sub(r"\1", text)))


def to_docx(brief: Brief, folder: Path, path: Path) -> Path:
    """Write the brief as a Word document with charts and the Sources list."""
    from docx import Document
    from docx.shared import Inches, Pt

    doc = Document()
    doc.styles["Normal"].font.size = Pt(10)
    for b in blocks(brief.markdown):
        if b.kind == "heading":
            doc.add_heading(plain(b.text), level=min(b.level, 3) if b.level > 1 else 0)
        elif b.kind == "image":
            img = folder / b.rows[0][0]
            if img.is_file():
                doc.add_picture(str(img), width=Inches(6.3))
        elif b.kind == "table":
            ncol = max(len(r) for r in b.rows)
            table = doc.add_table(rows=0, cols=ncol)
            table.style = "Table Grid"
            for i, row in enumerate(b.rows):
                cells = table.add_row().cells
                for j, value in enumerate(row):
                    cells[j].text = ""
                    _runs(cells[j].paragraphs[0], value, bold_all=(i == 0))
                    for r in cells[j].paragraphs[0].runs:
                        r.font.size = Pt(8)
        else:
            style = {"bullet": "List Bullet", "quote": "Intense Quote"}.get(b.kind)
            p = doc.add_paragraph(style=style) if style else doc.add_paragraph()
            _runs(p, b.text)
    doc.core_properties.title = f"Negotiation brief: {brief.payer_name}"
    doc.save(str(path))
    return path


def _runs(paragraph: object, text: str, bold_all: bool = False) -> None:
    """Add ``text`` to a python-docx paragraph, honouring **bold** spans."""
    for i, piece in enumerate(re.split(r"\*\*(.+?)\*\*", text)):
        if piece:
            run = paragraph.add_run(CODE.sub(r"\1", ITAL.sub(r"\1", piece)))  # type: ignore[attr-defined]
            run.bold = bold_all or i % 2 == 1


def _rl(text: str) -> str:
    """Inline Markdown → reportlab paragraph markup (escaped)."""
    t = html.escape(text, quote=False)
    t = BOLD.sub(r"<b>\1</b>", t)
    t = CODE.sub(r"<font face='Courier'>\1</font>", t)
    return ITAL.sub(r"<i>\1</i>", t)


def _col_widths(rows: list[list[str]], ncol: int, width: float) -> list[float]:
    """Column widths proportional to each column's longest cell (clipped to 4..60 chars)."""
    longest = [max(4, min(60, max((len(plain(r[j])) for r in rows if j < len(r)), default=4)))
               for j in range(ncol)]
    total = sum(longest)
    return [width * n / total for n in longest]


def to_pdf(brief: Brief, folder: Path, path: Path) -> Path:
    """Write the brief as a PDF (reportlab platypus) with charts and the Sources list."""
    from reportlab.lib import colors  # type: ignore[import-untyped]
    from reportlab.lib.pagesizes import letter  # type: ignore[import-untyped]
    from reportlab.lib.styles import (  # type: ignore[import-untyped]
        ParagraphStyle,
        getSampleStyleSheet,
    )
    from reportlab.lib.units import inch  # type: ignore[import-untyped]
    from reportlab.platypus import (  # type: ignore[import-untyped]
        Image,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    ss = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=ss["BodyText"], fontSize=9, leading=12)
    cell = ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9)
    bullet = ParagraphStyle("bullet", parent=body, leftIndent=12, bulletIndent=3)
    quote = ParagraphStyle("quote", parent=body, leftIndent=14, textColor=colors.HexColor(
        "#2b3a4a"), fontName="Helvetica-Oblique")
    heads = {1: ss["Title"], 2: ss["Heading2"], 3: ss["Heading3"], 4: ss["Heading4"]}
    story: list[object] = []
    width = letter[0] - 1.5 * inch
    for b in blocks(brief.markdown):
        if b.kind == "heading":
            story.append(Paragraph(_rl(b.text), heads[b.level]))
        elif b.kind == "image":
            img = folder / b.rows[0][0]
            if img.is_file():
                im = Image(str(img))
                scale = min(1.0, width / im.drawWidth)
                im.drawWidth, im.drawHeight = im.drawWidth * scale, im.drawHeight * scale
                story += [im, Spacer(1, 4)]
        elif b.kind == "table":
            ncol = max(len(r) for r in b.rows)
            data = [[Paragraph(_rl(c), cell) for c in r + [""] * (ncol - len(r))] for r in b.rows]
            t = Table(data, repeatRows=1, colWidths=_col_widths(b.rows, ncol, width))
            t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story += [t, Spacer(1, 6)]
        elif b.kind == "bullet":
            story.append(Paragraph(_rl(b.text), bullet, bulletText="•"))
        elif b.kind == "quote":
            story.append(Paragraph(_rl(b.text), quote))
        else:
            story.append(Paragraph(_rl(b.text), body))
    SimpleDocTemplate(str(path), pagesize=letter, title=f"Negotiation brief: {brief.payer_name}",
                      leftMargin=0.75 * inch, rightMargin=0.75 * inch,
                      topMargin=0.7 * inch, bottomMargin=0.7 * inch).build(story)
    return path
