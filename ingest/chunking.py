"""Structure-aware chunking.

Splits a document's full text on its own structure — articles, numbered sections,
``§`` sections, exhibits/schedules, Markdown and ALL-CAPS headings, and heading hints
from the parser (DOCX styles) — keeps tables whole, and splits long sections at paragraph
boundaries. A chunk's ``text`` is exactly ``full_text[char_start:char_end]`` so quotes can
be verified; ``context`` (title, section and heading) is prepended only for embedding and
keyword search, which is how a continuation chunk "repeats" its section heading.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ingest.parsers import ParsedDoc

MAX_CHARS = 1200
MIN_BODY_CHARS = 60

# OCR reads "I" as "l", "1" or "|": "ARTlCLE Ill", "Section 6. l" still start sections.
_ARTICLE = re.compile(
    r"^\s*(?:ART[IL1l|]CLE|Art[il1|]cle)\s+(\d{1,3}(?![A-Za-z])|[IVXLC1l|]{1,7}(?![A-Za-z0-9]))"
    r"[\s.:\-–—]*(.*)$"
)
_NUM = r"\d{1,3}(?:(?:\s?\.\s?|,)(?:\d{1,3}|[lI](?![A-Za-z0-9])))*"
_SECTION = re.compile(
    r"^\s*(?:SECT[IL1l]ON|Sect[il1]on)\s+(" + _NUM + r")(?![\d])[\s.:\-–—]*(.*)$"
)
_PARA_SIGN = re.compile(r"^\s*§+\s*(" + _NUM + r")(?![\d])[\s.:\-–—]*(.*)$")
_NUMBERED = re.compile(
    r"^\s*(\d{1,2}(?:\s?\.\s?(?:\d{1,3}|[lI](?=[.)\s]))){0,3})(?:\.|\))?\s+([A-Z][^\n]*)$"
)
# Attachment sections numbered by their letter: "B.2 Timely Filing."
_LETTERED = re.compile(r"^\s*([A-Z]\.\d{1,2}(?:\.\d{1,2})?)\.?\s+([A-Z][^\n]*)$")
_EXHIBIT = re.compile(
    r"^\s*(EXHIBIT|Exhibit|SCHEDULE|Schedule|ATTACHMENT|Attachment|APPENDIX|Appendix|ADDENDUM|"
    r"Addendum)\s+([A-Z0-9][A-Z0-9.\-]*)\b[\s.:\-–—]*(.*)$"
)
_ROMAN = re.compile(r"^M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})$")
_CROSS_REF = re.compile(
    r"^(?:Sections?|Articles?|§+)\s*[\dIVXLC][\w.]*\s*(?:[,;)]|(?:of|in|to|and|or|shall|above|below"
    r"|hereof|herein|applies|is|are|will|may)\b)"
)
PART_PREFIXES = ("Exhibit", "Schedule", "Attachment", "Appendix", "Addendum")
_MARKDOWN = re.compile(r"^\s*#{1,6}\s+(.*)$")
_CAPS = re.compile(r"^\s*([A-Z][A-Z0-9 ,&/'’()\-]{3,78}[A-Z)])\s*:?\s*$")
_TABLE_LINE = re.compile(r"^\s*\|?.*\S\s\|\s\S.*$")
_NOT_HEADING = re.compile(
    r"^\d+\s+(?:days?|months?|years?|percent|%|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)",
    re.I,
)
_SENTENCE_END = re.compile(r"(?<=[.;:])\s+")


@dataclass
class Chunk:
    """One retrievable passage of a document."""

    index: int
    text: str
    char_start: int
    char_end: int
    page_start: int
    page_end: int
    section: str
    heading: str
    context: str  # prepended for embedding / BM25 only
    parent: str = ""  # enclosing article / exhibit / top-level heading ("Article VI CLAIMS")
    part: str = ""  # enclosing attachment / exhibit / appendix ("Attachment B Medicaid Program")

    @property
    def embed_text(self) -> str:
        """What is embedded: context line + the passage."""
        return f"{self.context}\n{self.text}" if self.context else self.text


@dataclass
class _Heading:
    section: str
    heading: str


def _short_heading(rest: str) -> str:
    """Heading words of a numbered line like '7.2 Timely Filing. Provider shall ...'."""
    rest = rest.strip()
    m = re.match(r"^(.{2,90}?)[.:](?:\s|$)", rest)
    if m:
        return m.group(1).strip()
    return rest[:90].strip() if len(rest) <= 90 else ""


def section_number(raw: str) -> str:
    """'6. l' → '6.1', '6,2' → '6.2': a section number as OCR may have read it."""
    out = re.sub(r"\s+", "", raw).replace(",", ".")
    return re.sub(r"(?<=\.)[lI]$|(?<=\.)[lI](?=\.)", "1", out)


def roman_or_number(raw: str) -> str:
    """'Ill' → 'III', 'Vl' → 'VI', '7' → '7' (OCR's l/1/| for I in roman numerals)."""
    if raw.isdigit():
        return raw
    fixed = re.sub(r"[1l|]", "I", raw).upper()
    return fixed if _ROMAN.match(fixed) else raw


def _undecorate(line: str) -> str:
    """A Markdown heading or bold line without its marks ('## **ARTICLE VI**')."""
    s = re.sub(r"^\s*#{1,6}\s+", "", line)
    s = re.sub(r"\*\*|__", "", s).strip()
    return s.strip("*").strip() if s.startswith("*") and s.endswith("*") else s


def match_heading(line: str, hinted: bool = False) -> _Heading | None:
    """Return the section number and heading a line starts, or None."""
    stripped = line.strip()
    if not stripped or len(stripped) > 400:
        return None
    plain = _undecorate(stripped)
    if _CROSS_REF.match(plain):
        return None  # "Section 6.1, Health Plan shall ..." wrapped onto a new line
    m = _ARTICLE.match(plain)
    if m:
        return _Heading("Article " + roman_or_number(m.group(1)), _short_heading(m.group(2)))
    for pattern, prefix in ((_SECTION, "Section "), (_PARA_SIGN, "§ ")):
        m = pattern.match(plain)
        if m:
            return _Heading(prefix + section_number(m.group(1)), _short_heading(m.group(2)))
    m = _EXHIBIT.match(plain)
    if m:
        return _Heading(f"{m.group(1).title()} {m.group(2)}", _short_heading(m.group(3)))
    m = _MARKDOWN.match(stripped)
    if m:
        text = plain.strip("#").strip()
        num = re.match(r"^(\d+(?:\.\d+)*)\.?\s+(.*)$", text)
        if num:
            return _Heading(num.group(1), num.group(2))
        return _Heading("", text)
    m = _NUMBERED.match(plain) or _LETTERED.match(plain)
    if m and not _NOT_HEADING.match(plain):
        return _Heading(section_number(m.group(1)), _short_heading(m.group(2)))
    if hinted and len(stripped) <= 150:
        num = re.match(r"^(\d+(?:\.\d+)*)\.?\s+(.*)$", stripped)
        return _Heading(num.group(1), num.group(2)) if num else _Heading("", stripped)
    m = _CAPS.match(plain)
    if m and sum(c.isalpha() for c in plain) >= 4 and len(plain.split()) <= 10:
        return _Heading("", plain.rstrip(":"))
    return None


def _title_line(line: str) -> str:
    """The heading words on the line after a bare 'ARTICLE VI' / 'ATTACHMENT B', or ''."""
    s = _undecorate(line.strip())
    if not s or len(s) > 100 or len(s.split()) > 12 or s.endswith((",", ";")):
        return ""
    if _ARTICLE.match(s) or _SECTION.match(s) or _NUMBERED.match(s) or _EXHIBIT.match(s):
        return ""
    long_words = [w for w in re.findall(r"[A-Za-z]+", s) if len(w) >= 4]
    title_case = bool(long_words) and sum(w[0].isupper() for w in long_words) >= 0.6 * len(
        long_words
    )
    if _CAPS.match(s) or (title_case and not s.endswith(".")):
        return s.rstrip(":")
    return ""


def _paragraphs(
    text: str, start: int, end: int, tables: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Split [start, end) into units: blank-line paragraphs, tables kept whole."""
    units: list[tuple[int, int]] = []
    pos = start
    for m in re.finditer(r"\n\s*\n", text[start:end]):
        a, b = pos, start + m.start()
        if text[a:b].strip():
            units.append((a, b))
        pos = start + m.end()
    if text[pos:end].strip():
        units.append((pos, end))
    merged: list[tuple[int, int]] = []
    for a, b in units:  # glue units that belong to one table span
        if merged and any(ts <= merged[-1][0] < te and ts <= a < te for ts, te in tables):
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def _is_table(text: str, a: int, b: int, tables: list[tuple[int, int]]) -> bool:
    if any(ts <= a < te for ts, te in tables):
        return True
    lines = [ln for ln in text[a:b].splitlines() if ln.strip()]
    return len(lines) >= 2 and sum(bool(_TABLE_LINE.match(ln)) for ln in lines) >= len(lines) - 1


def _split_long(text: str, a: int, b: int, limit: int) -> list[tuple[int, int]]:
    """Split an over-long paragraph at line, then sentence, then hard boundaries."""
    if b - a <= limit:
        return [(a, b)]
    pieces: list[tuple[int, int]] = []
    cur = a
    while b - cur > limit:
        window = text[cur : cur + limit]
        cut = window.rfind("\n", limit // 2)
        if cut == -1:
            ends = [m.end() for m in _SENTENCE_END.finditer(window) if m.end() > limit // 3]
            cut = ends[-1] if ends else window.rfind(" ", limit // 2)
        if cut <= 0:
            cut = limit
        pieces.append((cur, cur + cut))
        cur += cut
    pieces.append((cur, b))
    return pieces


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def sections_of(doc: ParsedDoc) -> list[tuple[int, int, _Heading]]:
    """Split the text into (start, end, heading) sections."""
    text = doc.text
    hints = set(doc.heading_offsets)
    lines = text.splitlines(keepends=True)
    # An ALL-CAPS line repeated on many pages is a running header, not a section.
    counts: dict[str, int] = {}
    for line in lines:
        key = line.strip()
        if key:
            counts[key] = counts.get(key, 0) + 1
    starts: list[tuple[int, _Heading]] = []
    skip: int | None = None
    pos = 0
    for i, line in enumerate(lines):
        in_table = any(ts <= pos < te for ts, te in doc.table_spans)
        h = None if in_table or pos == skip else match_heading(line, hinted=pos in hints)
        if h is not None and not h.section and counts.get(line.strip(), 0) >= 3:
            h = None
        if h is not None and not h.heading and h.section.startswith(("Article", *PART_PREFIXES)):
            nxt, at = _next_line(lines, i, pos)
            words = _title_line(nxt) if nxt is not None else ""
            if words:
                h = _Heading(h.section, words)
                skip = at
        if h is not None:
            starts.append((pos, h))
        pos += len(line)
    if not starts or starts[0][0] > 0:
        starts.insert(0, (0, _Heading("", "")))
    out = []
    for i, (s, h) in enumerate(starts):
        e = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        if text[s:e].strip():
            out.append((s, e, h))
    return out


def _next_line(lines: list[str], i: int, pos: int) -> tuple[str | None, int]:
    """The next non-blank line after ``lines[i]`` (which starts at ``pos``) and its offset."""
    pos += len(lines[i])
    for line in lines[i + 1 : i + 4]:
        if line.strip():
            return line, pos
        pos += len(line)
    return None, pos


def chunk_document(doc: ParsedDoc, title: str = "", max_chars: int = MAX_CHARS) -> list[Chunk]:
    """Cut a parsed document into structure-aware chunks."""
    text = doc.text
    chunks: list[Chunk] = []
    pending_start: int | None = None  # a heading-only section glued to the next one
    parent = ""
    part = ""  # the attachment / exhibit the text is in: it outlives inner headings
    for s, e, h in sections_of(doc):
        if h.section.startswith(PART_PREFIXES):
            part = " ".join(x for x in (h.section, h.heading) if x)
        if h.section.startswith(("Article", *PART_PREFIXES)) or (h.heading and not h.section):
            parent = " ".join(x for x in (h.section, h.heading) if x)
        a0 = pending_start if pending_start is not None else s
        body = text[s:e].strip()
        if len(body) < MIN_BODY_CHARS and e < len(text):
            pending_start = a0
            continue
        pending_start = None
        groups: list[tuple[int, int]] = []
        for ua, ub in _paragraphs(text, a0, e, doc.table_spans):
            parts = (
                [(ua, ub)]
                if _is_table(text, ua, ub, doc.table_spans)
                else _split_long(text, ua, ub, max_chars)
            )
            for pa, pb in parts:
                if groups and pb - groups[-1][0] <= max_chars:
                    groups[-1] = (groups[-1][0], pb)
                else:
                    groups.append((pa, pb))
        label = " ".join(x for x in (h.section, h.heading) if x)
        for ga, gb in groups:
            ga, gb = _trim(text, ga, gb)
            if ga >= gb:
                continue
            ctx_parts = [title] if title else []
            if part and part not in (parent, label):
                ctx_parts.append(part)
            if parent and parent != label:
                ctx_parts.append(parent)
            if label and not text[ga:gb].lstrip().startswith(label[:20]):
                ctx_parts.append(label)
            chunks.append(
                Chunk(
                    index=len(chunks),
                    text=text[ga:gb],
                    char_start=ga,
                    char_end=gb,
                    page_start=page_of(doc.page_offsets, ga),
                    page_end=page_of(doc.page_offsets, gb - 1),
                    section=h.section,
                    heading=h.heading,
                    context=" — ".join(ctx_parts),
                    parent=parent,
                    part=part,
                )
            )
    return chunks


def page_of(page_offsets: list[int], pos: int) -> int:
    """1-based page number containing character ``pos``."""
    return max(1, bisect.bisect_right(page_offsets, pos))
