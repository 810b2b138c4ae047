"""Render a Riverbend ``Doc`` as DOCX (python-docx), deterministically.

The fee schedule is ``aligned``: fixed-width columns in Courier New built with spaces, as
a schedule pasted from a billing system looks, with wrapped descriptions continuing on
indented lines under the description column.
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
import zipfile

from assistant.sample.riverbend import model as M
from assistant.sample.riverbend.contracts_pdf import fee_label, leader_lines, pipe_lines
from assistant.sample.riverbend.doc_model import Block, Doc

_ZIP_TIME = (2024, 1, 15, 9, 30, 0)
DESC_WIDTH = 46


def aligned_lines(b: Block) -> list[str]:
    """Header, rule and one or more lines per fee row, columns padded with spaces."""
    out = [f"{'CODE':<10}{'DESCRIPTION':<{DESC_WIDTH + 2}}{'RATE':>10}",
           f"{'-' * 8:<10}{'-' * DESC_WIDTH:<{DESC_WIDTH + 2}}{'-' * 10:>10}"]
    for f in b.fees:
        parts = textwrap.wrap(f.description, DESC_WIDTH)
        out.append(f"{fee_label(f):<10}{parts[0]:<{DESC_WIDTH + 2}}"
                   f"{M.dollars(f.rate.rate):>10}")
        out += [f"{'':<10}{s}" for s in parts[1:]]
    return out


def _mono(d, lines: list[str]) -> None:  # type: ignore[no-untyped-def]
    from docx.shared import Pt

    for line in lines:
        p = d.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        run = p.add_run(line)
        run.font.name = "Courier New"
        run.font.size = Pt(8.5)


def render_docx(doc: Doc) -> bytes:
    """A Word document with numbered sections and the exhibit; fixed metadata."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    d = docx.Document()
    cp = d.core_properties
    fixed = dt.datetime(2024, 1, 15, 9, 30, 0)
    cp.created = cp.modified = cp.last_printed = fixed
    cp.author = cp.last_modified_by = "Provider Contracting"
    cp.title = doc.title
    cp.revision = 3
    for b in doc.blocks:
        if b.kind == "title":
            d.add_heading(b.text, level=0)
        elif b.kind == "article":
            d.add_heading(b.text, level=1)
        elif b.kind in ("center", "para"):
            p = d.add_paragraph(b.text)
            if b.kind == "center":
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif b.kind == "clause" and b.clause is not None:
            c = b.clause
            for i, text in enumerate(c.paragraphs):
                p = d.add_paragraph()
                if i == 0:
                    p.add_run(f"{c.label} {c.heading}. ").bold = True
                p.add_run(text)
        elif b.kind == "pagebreak":
            d.add_page_break()
        elif b.kind == "form":
            t = d.add_table(rows=len(b.rows), cols=2)
            t.style = "Table Grid"
            for i, (k, v) in enumerate(b.rows):
                t.cell(i, 0).text, t.cell(i, 1).text = k, v
        elif b.kind == "aligned":
            _mono(d, aligned_lines(b))
        elif b.kind == "pipe":
            _mono(d, pipe_lines(b))
        elif b.kind == "leaders":
            _mono(d, [s for f in b.fees for s in leader_lines(f, "Courier", 8.5)])
        elif b.kind == "signatures":
            d.add_paragraph("IN WITNESS WHEREOF, the parties have executed this Agreement "
                            "as of the date first written above.")
            for party, name, title in doc.signatories:
                d.add_paragraph(f"{party}\nBy: /s/ {name}\nTitle: {title}")
    buf = io.BytesIO()
    d.save(buf)
    return _fix_zip(buf.getvalue())


def _fix_zip(data: bytes) -> bytes:
    """Rewrite the zip with fixed timestamps so bytes repeat run to run."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()
