"""Render a :class:`ContractDoc` as DOCX (python-docx) or plain text, deterministically."""

from __future__ import annotations

import datetime as dt
import io
import textwrap
import zipfile

from assistant.sample.contract_model import ContractDoc

_FIXED_ZIP_TIME = (2025, 1, 1, 0, 0, 0)


def render_txt(doc: ContractDoc) -> bytes:
    """Plain text, wrapped at 78 columns like a contract saved from a mail client."""
    out: list[str] = []

    def para(text: str, indent: str = "") -> None:
        out.extend(textwrap.wrap(text, 78, initial_indent=indent, subsequent_indent=indent,
                                 break_on_hyphens=False, break_long_words=False))
        out.append("")

    out += [doc.title.upper().center(78).rstrip(), ""]
    for t in doc.preamble:
        para(t)
    out += ["RECITALS", ""]
    for t in doc.recitals:
        para(t, "  ")
    for art in doc.articles:
        out += [f"{art.label} - {art.heading.upper()}", "=" * 40, ""]
        for sec in art.sections:
            for i, text in enumerate(sec.paragraphs):
                para(f"{sec.label} {sec.heading}. {text}" if i == 0 else text)
    out += ["IN WITNESS WHEREOF, the parties have executed this Agreement as of the "
            "Effective Date.", ""]
    for party, name, title in doc.signatories:
        out += [party, "By: /s/ " + name, "Title: " + title, ""]
    for ex in doc.exhibits:
        out += ["\f", ex.title.upper(), "=" * 40, ""]
        para(f"{ex.section.label} {ex.section.heading}. {ex.section.paragraphs[0]}")
        if ex.table:
            head, *rows = ex.table
            widths = [max(len(r[j]) for r in ex.table) for j in range(len(head))]
            for r in [head, ["-" * w for w in widths], *rows]:
                out.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True))
                           .rstrip())
            out.append("")
    return ("\n".join(out).rstrip() + "\n").encode("utf-8")


def render_docx(doc: ContractDoc) -> bytes:
    """A Word document with headings, numbered sections and a fee table; fixed metadata."""
    import docx

    d = docx.Document()
    cp = d.core_properties
    fixed = dt.datetime(2025, 1, 1, 0, 0, 0)
    cp.created = fixed
    cp.modified = fixed
    cp.last_printed = fixed
    cp.author = "Parley sample generator"
    cp.last_modified_by = "Parley sample generator"
    cp.title = doc.title
    cp.revision = 1
    d.add_heading(doc.title, level=0)
    for t in doc.preamble:
        d.add_paragraph(t)
    d.add_heading("Recitals", level=1)
    for t in doc.recitals:
        d.add_paragraph(t)
    for art in doc.articles:
        d.add_heading(f"{art.label} - {art.heading}", level=1)
        for sec in art.sections:
            for i, text in enumerate(sec.paragraphs):
                p = d.add_paragraph()
                if i == 0:
                    p.add_run(f"{sec.label} {sec.heading}. ").bold = True
                p.add_run(text)
    d.add_paragraph("IN WITNESS WHEREOF, the parties have executed this Agreement as of the "
                    "Effective Date.")
    for party, name, title in doc.signatories:
        d.add_paragraph(f"{party}\nBy: /s/ {name}\nTitle: {title}")
    for ex in doc.exhibits:
        d.add_page_break()
        d.add_heading(ex.title, level=1)
        p = d.add_paragraph()
        p.add_run(f"{ex.section.label} {ex.section.heading}. ").bold = True
        p.add_run(ex.section.paragraphs[0])
        if ex.table:
            table = d.add_table(rows=len(ex.table), cols=len(ex.table[0]))
            table.style = "Table Grid"
            for i, row in enumerate(ex.table):
                for j, cell in enumerate(row):
                    table.cell(i, j).text = cell
    buf = io.BytesIO()
    d.save(buf)
    return _fix_zip_times(buf.getvalue())


def _fix_zip_times(data: bytes) -> bytes:
    """Rewrite the zip with fixed timestamps and order so bytes repeat run to run."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()
