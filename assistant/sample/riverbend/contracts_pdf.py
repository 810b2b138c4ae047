"""Render a Riverbend ``Doc`` as PDF (reportlab, byte-identical per input).

Fee tables come in three layouts: ``grid`` (a ruled table with wrapped descriptions),
``pipe`` (a monospaced pipe table) and ``leaders`` (code, description, dotted leaders and
the amount; long descriptions wrap onto a second line).
"""

from __future__ import annotations

import io
import textwrap
from xml.sax.saxutils import escape

from assistant.sample.riverbend import model as M
from assistant.sample.riverbend.doc_model import Block, Doc, FeeRow

WIDTH = 456.0  # letter width minus 1-inch margins and the frame padding


def _styles():  # type: ignore[no-untyped-def]
    from reportlab.lib.styles import (  # type: ignore[import-untyped]
        ParagraphStyle,
        getSampleStyleSheet,
    )

    base = getSampleStyleSheet()
    body = ParagraphStyle("rb", parent=base["BodyText"], fontName="Times-Roman", fontSize=10.5,
                          leading=13.5, spaceAfter=6, alignment=4)
    return {
        "title": ParagraphStyle("rt", parent=body, fontName="Times-Bold", fontSize=14,
                                leading=18, alignment=1, spaceAfter=4),
        "center": ParagraphStyle("rc", parent=body, alignment=1, fontName="Times-Bold"),
        "article": ParagraphStyle("ra", parent=body, fontName="Times-Bold", fontSize=11,
                                  alignment=1, spaceBefore=10, keepWithNext=1),
        "body": body,
        "cell": ParagraphStyle("rcell", parent=body, fontName="Helvetica", fontSize=8.5,
                               leading=10.5, spaceAfter=0, alignment=0),
        "mono": ParagraphStyle("rm", parent=body, fontName="Courier", fontSize=8, leading=10),
        "leader": ParagraphStyle("rl", parent=body, fontName="Helvetica", fontSize=9,
                                 leading=12, spaceAfter=1, alignment=0),
    }


def fee_label(row: FeeRow) -> str:
    """'99214' or '99214-25'."""
    return row.rate.code + (f"-{row.rate.modifier}" if row.rate.modifier else "")


def _grid(b: Block, st):  # type: ignore[no-untyped-def]
    from reportlab.lib import colors  # type: ignore[import-untyped]
    from reportlab.platypus import Paragraph, Table, TableStyle

    data = [["CPT/HCPCS", "Modifier", "Description", "Allowable"]]
    for f in b.fees:
        data.append([f.rate.code, f.rate.modifier, Paragraph(escape(f.description), st["cell"]),
                     M.dollars(f.rate.rate)])
    t = Table(data, colWidths=[64.0, 52.0, 272.0, 80.0], repeatRows=1)
    t.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8.5),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E4E4E4")),
        ("ALIGN", (3, 1), (3, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return [t]


def pipe_lines(b: Block) -> list[str]:
    """The monospaced pipe table of an amendment (header, rule, rows)."""
    head = ["CPT", "Mod", "Description", "Prior Allowable", "Revised Allowable"]
    rows = [head] + b.rows
    widths = [max(len(r[j]) for r in rows) for j in range(len(head))]
    out = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
           for r in rows]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return out


def leader_lines(f: FeeRow, font: str = "Helvetica", size: float = 9.0,
                 width: float = WIDTH) -> list[str]:
    """'99213  Office visit ... ......... $99.62', wrapping long descriptions."""
    from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped]

    label, price = fee_label(f).ljust(9), M.dollars(f.rate.rate)
    lines = textwrap.wrap(f.description, 62)
    out = [f"{label} {lines[0]}"] + [f"{' ' * 10}{s}" for s in lines[1:]]
    last = out[-1] + " "
    dot = stringWidth(".", font, size)
    room = width - stringWidth(last + " " + price, font, size) - 12
    out[-1] = last + "." * max(3, int(room / dot)) + " " + price
    return out


def _leaders(b: Block, st):  # type: ignore[no-untyped-def]
    from reportlab.platypus import KeepTogether, Paragraph

    flows = []
    for f in b.fees:
        flows.append(KeepTogether([Paragraph(escape(s).replace("  ", "&nbsp; "), st["leader"])
                                   for s in leader_lines(f)]))
    return flows


def _form(b: Block, st):  # type: ignore[no-untyped-def]
    from reportlab.lib import colors  # type: ignore[import-untyped]
    from reportlab.platypus import Paragraph, Table, TableStyle

    data = [[Paragraph(f"<b>{escape(k)}</b>", st["cell"]), Paragraph(escape(v), st["cell"])]
            for k, v in b.rows]
    t = Table(data, colWidths=[190.0, 278.0])
    t.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.8, colors.black),
                           ("INNERGRID", (0, 0), (-1, -1), 0.4, colors.grey),
                           ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [t]


def _flow(doc: Doc, st) -> list:  # type: ignore[no-untyped-def]
    from reportlab.platypus import PageBreak, Paragraph, Preformatted, Spacer

    flow: list = []
    for b in doc.blocks:
        if b.kind in ("title", "center", "article"):
            flow.append(Paragraph(escape(b.text), st[b.kind]))
        elif b.kind == "para":
            flow.append(Paragraph(escape(b.text), st["body"]))
        elif b.kind == "clause" and b.clause is not None:
            c = b.clause
            for i, text in enumerate(c.paragraphs):
                lead = f"<b>{escape(c.label)} {escape(c.heading)}.</b> " if i == 0 else ""
                flow.append(Paragraph(lead + escape(text), st["body"]))
        elif b.kind == "pagebreak":
            flow.append(PageBreak())
        elif b.kind == "form":
            flow += _form(b, st)
        elif b.kind == "grid":
            flow += _grid(b, st)
        elif b.kind == "leaders":
            flow += _leaders(b, st)
        elif b.kind == "pipe":
            flow.append(Preformatted("\n".join(pipe_lines(b)), st["mono"]))
        elif b.kind == "signatures":
            flow.append(Paragraph("IN WITNESS WHEREOF, the parties have signed this document "
                                  "by their authorized representatives.", st["body"]))
            for party, name, title in doc.signatories:
                flow.append(Spacer(1, 8))
                flow.append(Paragraph(f"<b>{escape(party)}</b><br/>By: "
                                      f"____________________________<br/>Name: {escape(name)}"
                                      f"<br/>Title: {escape(title)}", st["body"]))
    return flow


def render_pdf(doc: Doc) -> bytes:
    """The document as PDF bytes; identical for identical input (reportlab invariant)."""
    from reportlab.lib.pagesizes import letter  # type: ignore[import-untyped]
    from reportlab.platypus import SimpleDocTemplate

    st = _styles()
    buf = io.BytesIO()

    def _page(canvas, d):  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        if doc.footer:
            canvas.drawString(72, 40, doc.footer)
        canvas.drawRightString(540, 40, f"Page {d.page}")
        canvas.restoreState()

    tpl = SimpleDocTemplate(buf, pagesize=letter, invariant=1, title=doc.title,
                            leftMargin=72, rightMargin=72, topMargin=72, bottomMargin=64)
    tpl.build(_flow(doc, st), onFirstPage=_page, onLaterPages=_page)
    return buf.getvalue()


def page_texts(pdf: bytes) -> list[str]:
    """Whitespace-normalised text of every page, as pypdf extracts it."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]
