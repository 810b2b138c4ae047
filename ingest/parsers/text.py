"""Plain text and Markdown: encoding detection, OCR page markers, running headers.

OCR tools that save a scanned agreement as text or Markdown mark page breaks with lines
such as ``--- Page 3 ---``, ``[Page 3]``, ``<!-- page 3 -->``, a form feed, or only a
``Page 3 of 45`` footer. Those give the document its pages (``page_offsets``, as the PDF
parser's) and are removed from the text: they are not content. On a paged document the
header/footer lines repeated on most pages are removed too, and a word hyphenated across a
line break ("reim-\\nbursement") is joined, so sentences read whole.
"""

from __future__ import annotations

import re
from collections import Counter

from ingest.parsers import ParsedDoc

_MD_HEADING = re.compile(r"^#{1,6}\s+\S", re.MULTILINE)

# A line that is only a page marker (header style: the page's text follows it).
_PAGE_MARKER = re.compile(
    r"^[ \t]*(?:"
    r"[-=_*#~]{2,}[ \t]*(?:page|pg\.?)[ \t]*(\d{1,4})(?:[ \t]*(?:of|/)[ \t]*\d{1,4})?[ \t]*[-=_*#~]*"
    r"|\[[ \t]*(?:page|pg\.?)[ \t]*(\d{1,4})(?:[ \t]*(?:of|/)[ \t]*\d{1,4})?[ \t]*\]"
    r"|<!--[ \t]*(?:page|pg\.?)[ \t]*(\d{1,4})[^>]{0,20}-->"
    r"|#{1,6}[ \t]+page[ \t]+(\d{1,4})"
    r")[ \t]*$",
    re.I | re.M,
)
# A "Page 3 of 45" / "Page 3" / "- 3 -" line: a running footer or header.
_PAGE_OF = re.compile(
    r"^[ \t]*(?:page[ \t]+(\d{1,4})(?:[ \t]+of[ \t]+\d{1,4})?|-[ \t]*(\d{1,4})[ \t]*-)[ \t]*$",
    re.I | re.M,
)
_HYPHEN_BREAK = re.compile(r"([A-Za-z]{2,})-[ \t]*\n[ \t]*([a-z]{2,})")
_KEEP_HYPHEN = {
    "non", "self", "co", "pre", "post", "multi", "cross", "third", "well", "twenty", "thirty",
    "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "x",
}


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


def _unmark(page: str) -> str:
    return _PAGE_OF.sub("", _PAGE_MARKER.sub("", page))


def split_pages(text: str) -> list[str] | None:
    """The page texts of an OCR dump, markers removed; None when it marks no pages."""
    if text.strip("\f\n ").count("\f") >= 1:
        return [_unmark(p) for p in text.split("\f")]
    markers = list(_PAGE_MARKER.finditer(text))
    if markers:  # header style: a marker opens its page
        first_no = next(int(g) for g in markers[0].groups() if g)
        pages = [
            text[m.end() : markers[i + 1].start() if i + 1 < len(markers) else len(text)]
            for i, m in enumerate(markers)
        ]
        prelude = text[: markers[0].start()]
        if prelude.strip():
            if first_no <= 1:
                pages[0] = prelude + "\n" + pages[0]
            else:
                pages.insert(0, prelude)
        return [_unmark(p) for p in pages]
    lines = list(_PAGE_OF.finditer(text))
    if len(lines) < 2:
        return None
    if not text[: lines[0].start()].strip():  # "Page 1" opens the text: headers
        cuts = [m.start() for m in lines[1:]]
    else:  # footers: a page ends after its "Page N" line
        cuts = [m.end() for m in lines[:-1]]
    bounds = [0, *cuts, len(text)]
    return [_unmark(text[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]


def _edge_lines(page: str, n: int = 3) -> list[str]:
    lines = [ln.strip() for ln in page.splitlines() if ln.strip()]
    return lines[:n] + lines[-n:] if len(lines) > 2 * n else lines


def _line_key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.lower().split()))


def strip_running_lines(pages: list[str]) -> list[str]:
    """Remove header/footer lines that repeat at the top or bottom of most pages."""
    if len(pages) < 3:
        return pages
    counts: Counter[str] = Counter()
    for p in pages:
        counts.update({_line_key(ln) for ln in _edge_lines(p)})
    need = max(3, (len(pages) + 1) // 2)
    running = {k for k, c in counts.items() if c >= need and len(k) <= 120}
    if not running:
        return pages
    out = []
    for p in pages:
        lines = p.splitlines(keepends=True)
        idx = [i for i, ln in enumerate(lines) if ln.strip()]
        edges = set(idx[:3] + idx[-3:])
        out.append("".join(ln for i, ln in enumerate(lines)
                           if not (i in edges and _line_key(ln.strip()) in running)))
    return out


def join_hyphenated(text: str) -> str:
    """Join words an OCR/line break split with a hyphen ('reim-\\nbursement')."""
    def fix(m: re.Match[str]) -> str:
        head, tail = m.group(1), m.group(2)
        return f"{head}-{tail}" if head.lower() in _KEEP_HYPHEN else head + tail

    return _HYPHEN_BREAK.sub(fix, text)


def join_pages(pages: list[str]) -> tuple[str, list[int]]:
    """One text from page texts, with each page's start offset.

    Pages are separated by a blank line, except where a sentence runs on to the next
    page (no closing punctuation, next page starts in lower case): a newline then.
    """
    texts = [p.strip("\n") for p in pages]
    texts = [t for t in texts if t.strip()] or [""]
    parts: list[str] = []
    offsets: list[int] = []
    pos = 0
    for i, t in enumerate(texts):
        offsets.append(pos)
        nxt = texts[i + 1].lstrip() if i + 1 < len(texts) else ""
        runs_on = nxt[:1].islower() and t.rstrip()[-1:] not in ".:;!?"
        sep = "\n" if runs_on else "\n\n"
        parts.append(t + sep)
        pos += len(t) + len(sep)
    return "".join(parts), offsets


def parse_text(data: bytes, markdown: bool = False) -> ParsedDoc:
    """Parse a text or Markdown file (OCR page markers give pages and are dropped)."""
    text, notes = decode_bytes(data)
    text = normalise_text(text)
    offsets = [0]
    pages = split_pages(text)
    if pages is not None:
        pages = strip_running_lines([join_hyphenated(p) for p in pages])
        text, offsets = join_pages(pages)
    headings = [m.start() for m in _MD_HEADING.finditer(text)] if markdown else []
    return ParsedDoc(
        text=text,
        format="markdown" if markdown else "text",
        page_offsets=offsets,
        heading_offsets=headings,
        warnings=notes,
    )
