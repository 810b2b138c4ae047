"""Plain text and Markdown: encoding detection with a fallback."""

from __future__ import annotations

import re

from ingest.parsers import ParsedDoc

_MD_HEADING = re.compile(r"^#{1,6}\s+\S", re.MULTILINE)


def decode_bytes(data: bytes) -> tuple[str, list[str]]:
    """Decode as UTF-8 (BOM aware), else cp1252, else latin-1; return text and notes."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), ["decoded as UTF-16"]
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), ["not valid UTF-8; decoded as Windows-1252"]
    except UnicodeDecodeError:
        return data.decode("latin-1"), ["not valid UTF-8; decoded as Latin-1"]


def normalise_text(text: str) -> str:
    """Normalise newlines and drop control characters other than tab/newline/form feed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t\f" or ord(ch) >= 32)


def parse_text(data: bytes, markdown: bool = False) -> ParsedDoc:
    """Parse a text or Markdown file."""
    text, notes = decode_bytes(data)
    text = normalise_text(text)
    headings = [m.start() for m in _MD_HEADING.finditer(text)] if markdown else []
    return ParsedDoc(
        text=text,
        format="markdown" if markdown else "text",
        heading_offsets=headings,
        warnings=notes,
    )
