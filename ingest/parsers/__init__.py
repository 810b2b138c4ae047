"""Document parsers: pick one by extension *and* content, return a ``ParsedDoc``.

Every parser returns the document's extracted full text plus the structure hints the
chunker needs (page start offsets, heading offsets, table spans). Failures raise
``IngestError`` with a one-line, user-safe reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import IngestError

if TYPE_CHECKING:
    from assistant.settings import Settings

TEXT_EXTENSIONS = {".txt", ".md", ".markdown", ".text"}
DOCUMENT_EXTENSIONS = {".pdf", ".docx", ".eml"} | TEXT_EXTENSIONS
STRUCTURED_EXTENSIONS = {".csv", ".835", ".json", ".edi", ".x12"}


@dataclass
class ParsedDoc:
    """A parsed document: its full text and where its structure lies in that text."""

    text: str
    format: str  # pdf | docx | text | markdown | email
    page_offsets: list[int] = field(default_factory=lambda: [0])
    heading_offsets: list[int] = field(default_factory=list)
    table_spans: list[tuple[int, int]] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        """Number of pages (1 for formats without pages)."""
        return len(self.page_offsets)


def sniff_format(path: Path, head: bytes) -> str:
    """Decide the format from the extension and the first bytes; raise on a mismatch."""
    ext = path.suffix.lower()
    if ext == ".pdf":
        if b"%PDF-" not in head[:1024]:
            raise IngestError("not a PDF file (content does not start with %PDF-)")
        return "pdf"
    if ext == ".docx":
        if not head.startswith(b"PK\x03\x04"):
            raise IngestError("not a DOCX file (content is not a zip package)")
        return "docx"
    if head.startswith(b"%PDF-") or head.startswith(b"PK\x03\x04"):
        raise IngestError(f"binary content does not match the '{ext}' extension")
    if b"\x00" in head[:8192] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError("binary content in a text file")
    if ext == ".eml":
        return "email"
    if ext in {".md", ".markdown"}:
        return "markdown"
    return "text"


def parse_file(path: Path, settings: Settings) -> ParsedDoc:
    """Parse one document file into a ``ParsedDoc`` (PDFs in a sandboxed worker)."""
    try:
        size = path.stat().st_size
    except OSError:
        raise IngestError("file cannot be read") from None
    if size == 0:
        raise IngestError("empty file")
    if size > settings.max_file_mb * 1024 * 1024:
        raise IngestError(
            f"file too large ({size / 1048576:.0f} MB > "
            f"PARLEY_MAX_FILE_MB={settings.max_file_mb:g})"
        )
    try:
        with path.open("rb") as fh:
            head = fh.read(8192)
    except OSError:
        raise IngestError("file cannot be read") from None
    fmt = sniff_format(path, head)
    if fmt == "pdf":
        from ingest.parsers.pdf import parse_pdf_sandboxed

        doc = parse_pdf_sandboxed(path, settings)
    elif fmt == "docx":
        from ingest.parsers.docx_parser import parse_docx

        doc = parse_docx(path)
    elif fmt == "email":
        from ingest.parsers.eml import parse_eml

        doc = parse_eml(path.read_bytes())
    else:
        from ingest.parsers.text import parse_text

        doc = parse_text(path.read_bytes(), markdown=fmt == "markdown")
    if not doc.text.strip():
        raise IngestError("no extractable text")
    return doc
