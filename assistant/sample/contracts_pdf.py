"""Render a :class:`ContractDoc` as a PDF with reportlab (byte-identical per input)."""

from __future__ import annotations

import io
import random
from xml.sax.saxutils import escape

from assistant.sample.contract_model import ContractDoc, Exhibit, Section


def _styles():  # type: ignore[no-untyped-def]
    from reportlab.lib.styles import (  # type: ignore[import-untyped]
        ParagraphStyle,
        getSampleStyleSheet,
    )

    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName="Helvetica", fontSize=10,
                          leading=13, spaceAfter=6)
    return {
        "title": ParagraphStyle("t", parent=base["Title"], fontName="Helvetica-Bold",
                                fontSize=15, leading=19),
        "center": ParagraphStyle("c", parent=body, alignment=1),
        "art": ParagraphStyle("a", parent=body, fontName="Helvetica-Bold", fontSize=11.5,
                              spaceBefore=8, keepWithNext=1),
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10, spaceAfter=0),
        "hidden": ParagraphStyle("h", parent=body, fontSize=1, leading=1.2,
                                 textColor="#FFFFFF"),
    }


def _section_flow(sec: Section, st):  # type: ignore[no-untyped-def]
    from reportlab.platypus import KeepTogether, Paragraph  # type: ignore[import-untyped]

    paras = []
    for i, text in enumerate(sec.paragraphs):
        lead = f"<b>{escape(sec.label)} {escape(sec.heading)}.</b> " if i == 0 else ""
        paras.append(Paragraph(lead + escape(text), st["body"]))
    return KeepTogether(paras)


def _table(ex: Exhibit, st):  # type: ignore[no-untyped-def]
    from reportlab.lib import colors  # type: ignore[import-untyped]
    from reportlab.platypus import Paragraph, Table, TableStyle

    assert ex.table is not None
    head, *rows = ex.table
    ncol = len(head)
    desc_col = 2 if ncol > 2 else 1
    data = [[Paragraph(f"<b>{escape(h)}</b>", st["cell"]) for h in head]]
    for row in rows:
        data.append([Paragraph(escape(c), st["cell"]) if j == desc_col else c
                     for j, c in enumerate(row)])
    if ncol == 7:
        widths = [52.0, 28.0, 150.0, 62.0, 58.0, 58.0, 58.0]
    elif ncol == 5:
        widths = [50.0, 46.0, 200.0, 80.0, 80.0]
    elif ncol == 4:
        widths = [55.0, 55.0, 260.0, 80.0]
    else:
        widths = [70.0, 380.0]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDE3EA")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#777777")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def _scanned_signature(doc: ContractDoc) -> bytes:
    """A grey, speckled PNG of the signature page: text only a human (or OCR) can read."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (850, 1000), 236)
    draw = ImageDraw.Draw(img)
    rnd = random.Random(20250301)
    for _ in range(4000):
        x, y = rnd.randrange(850), rnd.randrange(1000)
        draw.point((x, y), fill=rnd.randrange(150, 220))
    y = 60
    draw.text((60, y), "IN WITNESS WHEREOF, the parties have executed this Agreement.", fill=30)
    for party, name, title in doc.signatories:
        y += 120
        draw.text((60, y), party, fill=25)
        draw.line((60, y + 60, 450, y + 62), fill=40, width=2)
        draw.text((60, y + 70), f"By: {name}   Title: {title}", fill=30)
        draw.text((500, y + 70), f"Date: {doc.effective_date:%m/%d/%Y}", fill=30)
    img = img.rotate(0.6, fillcolor=236)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def render_pdf(doc: ContractDoc) -> bytes:
    """The document as PDF bytes; identical for identical input (reportlab invariant)."""
    from reportlab.lib.pagesizes import letter  # type: ignore[import-untyped]
    from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer

    st = _styles()
    buf = io.BytesIO()
    footer = f"{doc.agreement_no} | Confidential"

    def _page(canvas, d):  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(72, 40, footer)
        canvas.drawRightString(540, 40, f"Page {d.page}")
        canvas.restoreState()

    tpl = SimpleDocTemplate(buf, pagesize=letter, invariant=1, title=doc.title,
                            author="Parley sample generator", creator="Parley",
                            producer="Parley", subject=doc.agreement_no,
                            leftMargin=72, rightMargin=72, topMargin=72, bottomMargin=64)
    flow: list = [Paragraph(escape(doc.title), st["title"])]
    flow += [Paragraph(escape(t), st["center"] if i == 0 else st["body"])
             for i, t in enumerate(doc.preamble)]
    flow += [Paragraph("<b>RECITALS</b>", st["art"])]
    flow += [Paragraph(escape(t), st["body"]) for t in doc.recitals]
    for art in doc.articles:
        flow.append(Paragraph(f"{escape(art.label)} - {escape(art.heading).upper()}", st["art"]))
        for sec in art.sections:
            flow.append(_section_flow(sec, st))
            if doc.injection and sec.clause_type == "fee_schedule_updates":
                flow.append(Paragraph(escape(doc.injection), st["hidden"]))
    if not doc.scanned_signature:
        flow.append(Paragraph("<b>IN WITNESS WHEREOF</b>, the parties have executed this "
                              "Agreement as of the Effective Date.", st["body"]))
        for party, name, title in doc.signatories:
            flow.append(Spacer(1, 10))
            flow.append(Paragraph(f"<b>{escape(party)}</b><br/>By: ______________________"
                                  f"<br/>Name: {escape(name)}<br/>Title: {escape(title)}",
                                  st["body"]))
    for ex in doc.exhibits:
        flow.append(PageBreak())
        flow.append(Paragraph(escape(ex.title.upper()), st["art"]))
        flow.append(_section_flow(ex.section, st))
        if ex.table:
            flow.append(_table(ex, st))
    if doc.scanned_signature:
        flow.append(PageBreak())
        flow.append(Image(io.BytesIO(_scanned_signature(doc)), width=440, height=518))
    tpl.build(flow, onFirstPage=_page, onLaterPages=_page)
    return buf.getvalue()


def page_texts(pdf: bytes) -> list[str]:
    """Whitespace-normalised text of every page, as pypdf extracts it."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]
