"""DOCX via python-docx: headings, paragraphs and tables (rows with their header)."""

from __future__ import annotations

from pathlib import Path

from assistant.errors import IngestError
from ingest.parsers import ParsedDoc
from ingest.parsers.text import normalise_text


def _is_heading(style_name: str) -> bool:
    name = style_name.lower()
    return name.startswith("heading") or name == "title"


def parse_docx(path: Path) -> ParsedDoc:
    """Parse a .docx in body order; each table becomes header + ' | ' joined rows."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception:  # python-docx raises zip/xml/key errors on bad packages
        raise IngestError("not a readable DOCX document (corrupt or not Word format)") from None
    parts: list[str] = []
    headings: list[int] = []
    tables: list[tuple[int, int]] = []
    pos = 0

    def emit(text: str) -> int:
        nonlocal pos
        start = pos
        parts.append(text + "\n\n")
        pos += len(text) + 2
        return start

    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = normalise_text(block.text).strip()
            if not text:
                continue
            start = emit(text)
            if _is_heading(block.style.name if block.style is not None else ""):
                headings.append(start)
        elif isinstance(block, Table):
            rows = []
            for row in block.rows:
                cells = [normalise_text(c.text).strip().replace("\n", " ") for c in row.cells]
                rows.append(" | ".join(cells))
            if rows:
                body = "\n".join(rows)
                start = emit(body)
                tables.append((start, start + len(body)))
    meta = {}
    title = document.core_properties.title
    if title:
        meta["title"] = title
    return ParsedDoc(
        text="".join(parts),
        format="docx",
        heading_offsets=headings,
        table_spans=tables,
        metadata=meta,
    )
