"""Document-level metadata: title, doc type, payer, contract id, effective date."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from assistant.periods import MONTH_NUMBERS
from ingest.parsers import ParsedDoc
from ingest.parties import OPENER, PREAMBLE_WINDOW, parties_of, payer_party

_MONTHS = MONTH_NUMBERS
_DATE_WORDS = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b",
    re.I,
)
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DATE_US = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_EFFECTIVE = re.compile(
    r"(?:effective|commenc\w*|made and entered into|entered into|dated)\b[^.\n]{0,80}?"
    r"(?:as of|on|from|date[ds]?|is)?[\s:]*",
    re.I,
)
_CONTRACT_ID = re.compile(
    r"\b(?:Agreement|Contract|Amendment)\s+(?:No\.?|Number|#|ID)\s*[:#]?\s*([A-Z0-9][A-Z0-9\-_/]{2,30})",
    re.I,
)
@dataclass
class DocMeta:
    """Metadata stored on every chunk of a document."""

    title: str
    doc_type: str
    payer_id: str = ""
    payer_name: str = ""
    contract_id: str = ""
    effective_date: dt.date | None = None


def parse_date(text: str) -> dt.date | None:
    """First date in ``text`` in one of the common contract spellings."""
    best: tuple[int, dt.date] | None = None
    for rx, build in (
        (_DATE_WORDS, lambda m: (int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))),
        (_DATE_ISO, lambda m: (int(m.group(1)), int(m.group(2)), int(m.group(3)))),
        (_DATE_US, lambda m: (int(m.group(3)), int(m.group(1)), int(m.group(2)))),
    ):
        m = rx.search(text)
        if m:
            try:
                d = dt.date(*build(m))
            except ValueError:
                continue
            if best is None or m.start() < best[0]:
                best = (m.start(), d)
    return best[1] if best else None


_EFFECTIVE_LABEL = re.compile(
    r"\beffective\s+date\b[\"”'’]?\s*(?:of\s+this\s+(?:agreement|amendment)\s*)?(?:is|shall\s+be|means|:|-)\s*",
    re.I,
)
_EFFECTIVE_DEFINED = re.compile(
    r"\(\s*(?:the\s+)?[\"“'‘]{0,2}\s*(?:\w+\s+){0,2}?effective\s+date", re.I)
# "This Agreement begins on January 1, 2024", "is made as of February 1, 2024"
_BEGINS = re.compile(
    r"\b(?:agreement|amendment|term)\b[^.;]{0,40}?\b(?:begins?|commences?|starts?|is\s+made|made)"
    r"\s+(?:on|as\s+of)\s+",
    re.I,
)


def effective_date_of(text: str) -> dt.date | None:
    """The stated effective date: in the preamble ('effective as of', 'entered into'), a date
    defined as the "Effective Date", an 'Effective Date: ...' label, else the first date
    after 'effective'/'dated' near the start."""
    start = preamble_start(text)
    regions = [text[max(0, start - 300) : start + 3000]] if start >= 0 else []
    for region in regions:
        m = _EFFECTIVE_DEFINED.search(region)
        if m:
            d = _last_date(region[max(0, m.start() - 60) : m.start()])
            if d:
                return d
        for rx in (_EFFECTIVE, _BEGINS):
            for m in rx.finditer(region):
                d = parse_date(region[m.end() : m.end() + 40])
                if d:
                    return d
    window = text[:PREAMBLE_WINDOW]
    for m in _EFFECTIVE_LABEL.finditer(window):
        d = parse_date(window[m.end() : m.end() + 40])
        if d:
            return d
    head = text[:6000]
    for m in _EFFECTIVE.finditer(head):
        d = parse_date(head[m.end() : m.end() + 40])
        if d:
            return d
    return None


def _last_date(text: str) -> dt.date | None:
    """The last date written in ``text``."""
    found = [m.start() for rx in (_DATE_WORDS, _DATE_ISO, _DATE_US) for m in rx.finditer(text)]
    for pos in sorted(found, reverse=True):
        d = parse_date(text[pos:])
        if d:
            return d
    return None


def preamble_start(text: str) -> int:
    """Where the preamble sentence ('This ... Agreement ... by and between') starts, or -1."""
    window = text[:PREAMBLE_WINDOW]
    for m in OPENER.finditer(window):
        lo = max(0, m.start() - 600)
        before = window[lo : m.start()]
        these = [x.start() for x in re.finditer(r"\bthis\b", before, re.I)]
        for pos in reversed(these):  # the nearest 'This ... Agreement' in the same paragraph
            span = before[pos:]
            if re.search(r"\n\s*\n", span) or len(span) > 400:
                break
            if re.search(r"\b(?:agreement|contract|amendment|addendum)\b", span, re.I):
                return lo + pos
    return -1


CONTRACT_FAMILY = ("contract", "amendment", "exhibit")
_AGREEMENT_WORD = re.compile(r"\b(?:agreement|contract|amendment|addendum)\b", re.I)
_NOTE_NAME = re.compile(
    r"\bnotes?\b|\bminutes\b|\bmeeting\b|\bcall\b|\bmemo\b|\brecap\b|follow-?up|check-?in|\bprep\b",
    re.I,
)
_NOTE_FIELDS = re.compile(
    r"(?mi)^\s*(?:[-*]\s*)?\**(?:attendees|participants|agenda|action\s+items?|next\s+steps"
    r"|prepared\s+by|discussion|takeaways)\**\s*:?"
)
_RECITALS = re.compile(r"\bWHEREAS\b|\bRECITALS\b|NOW,?\s+THEREFORE|W\s?I\s?T\s?N\s?E\s?S\s?S\s?E\s?T\s?H")
_SIGNATURE = re.compile(
    r"IN\s+WITNESS\s+WHEREOF|authorized\s+(?:signature|representative|signatory)|(?m:^\s*By:\s*_{3,})",
    re.I,
)
_ARTICLE_LINE = re.compile(r"(?m)^\s*(?:#+\s*)?\**\s*(?:ART[IL1l|]CLE|Art[il1|]cle)\s+[\dIVXLCl|]+")
_SECTION_LINE = re.compile(r"(?m)^\s*(?:#+\s*)?\**\s*(?:Section\s+)?\d{1,2}\.\s?\d{1,2}\.?\s+[A-Z]")
_DEFINED = re.compile(r"[\"“][A-Z][\w /-]{2,40}[\"”]\s+(?:means|shall\s+mean)\b")


def contract_score(text: str, title: str = "") -> int:
    """How strongly the content reads as an agreement (preamble, recitals, articles,
    signature blocks, 'shall', defined terms, length)."""
    score = 0
    if preamble_start(text) >= 0:
        score += 3
    if _RECITALS.search(text[:PREAMBLE_WINDOW]):
        score += 2
    if _SIGNATURE.search(text):
        score += 2
    if len(_ARTICLE_LINE.findall(text)) >= 2 or len(_SECTION_LINE.findall(text)) >= 5:
        score += 2
    words = len(text.split())
    shall = len(re.findall(r"\bshall\b", text, re.I))
    if shall >= 5 and shall * 1000 >= 4 * words:
        score += 1
    if words >= 3000:
        score += 1
    if len(_DEFINED.findall(text)) >= 3:
        score += 1
    if re.search(r"\b(?:agreement|contract)\b", title, re.I):
        score += 2
    return score


def note_score(path: Path, text: str, title: str = "") -> int:
    """How strongly the content reads as meeting notes or a memo."""
    score = 0
    if _NOTE_NAME.search(re.sub(r"[_\-.]+", " ", path.stem)):
        score += 2
    if _NOTE_NAME.search(title):
        score += 2
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    bullets = sum(ln.startswith(("- ", "* ", "• ")) for ln in lines)
    if lines and bullets >= 0.35 * len(lines):
        score += 2
    if _NOTE_FIELDS.search(text[:4000]):
        score += 2
    return score


def doc_type_of(path: Path, doc: ParsedDoc, head: str, title: str = "") -> str:
    """contract | amendment | exhibit | note | email, from the content.

    A 30-page agreement saved as Markdown is a contract; meeting notes saved as a PDF are
    a note. Without clear signals either way the format decides (Markdown → note).
    """
    if doc.format == "email":
        return "email"
    contract, note = contract_score(doc.text, title), note_score(path, doc.text, title)
    if contract >= 6 and contract >= note + 3:
        family = True
    elif note >= 2:
        family = False
    else:
        family = doc.format != "markdown"
    if not family:
        return "note"
    name = path.stem.lower()
    start = preamble_start(doc.text)
    preamble = doc.text[start : start + 300] if start >= 0 else ""
    amended = re.search(r"\bamend(?:ment|ed)\b", title, re.I) and not re.search(
        r"amended\s+and\s+restated", title, re.I
    )
    if (
        amended
        or re.match(r"\W*this\s+(?:\w+\s+){0,3}amendment\b", preamble, re.I)
        or ("amendment" in name and start < 0)
        or (start < 0 and re.search(r"\bamendment\b", head[:400], re.I))
    ):
        return "amendment"
    if start < 0 and (
        re.match(r"\W*(?:exhibit|schedule|attachment|appendix|addendum)\b", title, re.I)
        or re.search(r"\b(exhibit|schedule|attachment)\b", name)
    ):
        return "exhibit"
    return "contract"


RUNNING_LINE_RE = re.compile(r"^page \d+( of \d+)?$|\bconfidential\s*$|^\W*\d+\W*$", re.I)
# Lines of forms and cover pages that come before the agreement itself.
BOILERPLATE_RE = re.compile(
    r"\bW-?9\b|taxpayer|\bTIN\b|employer\s+identification|name\s+according\s+to|d/b/a\s*:"
    r"|\bfax\b|facsimile|cover\s+(?:sheet|page|letter)|transmittal|confidentiality\s+notice"
    r"|signature\s+page|in\s+witness\s+whereof|authorized\s+signat|table\s+of\s+contents"
    r"|^(?:by|name|title|date|to|from|re|attn|attention|phone|tel|e-?mail|pages?|cc|subject)\s*:"
    r"|credentialing|application\s+form|checklist|instructions|please\s+(?:sign|complete|return)"
    r"|^(?:draft|execution\s+(?:copy|version)|confidential(?:\s+and\s+proprietary)?)$"
    r"|\.{4,}|_{4,}",
    re.I,
)


def _candidate(line: str) -> str:
    """A line as a possible title ('' when it cannot be one)."""
    s = re.sub(r"^#{1,6}\s*", "", line.strip()).strip().strip("*_").strip()
    if not (4 <= len(s) <= 120) or sum(c.isalpha() for c in s) < 4:
        return ""
    if RUNNING_LINE_RE.search(s) or BOILERPLATE_RE.search(s):
        return ""
    return s


def _agreement_title(line: str) -> bool:
    """A title line naming the agreement (not a sentence, an id line or a TOC entry)."""
    if not _AGREEMENT_WORD.search(line) or len(line.split()) > 16:
        return False
    if re.match(r"(?:this|the|each|either|in|if|as|any|all|such)\b", line, re.I):
        return False
    if re.match(r"(?:agreement|contract)\s+(?:no|number|#|id)\b", line, re.I):
        return False
    if re.search(r"\b(?:shall|means|will|may|is|are)\b|[,;]$|\s\d+$", line):
        return False
    words = [w for w in re.findall(r"[A-Za-z]+", line) if len(w) > 3]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.6 * len(words)


def _title_lines(text: str) -> list[str]:
    """Candidate title lines; a title wrapped onto a short next line is joined back."""
    out: list[str] = []
    adjacent = False
    for line in text.splitlines():
        c = _candidate(line)
        wrapped = c and len(c.split()) <= 3 and not re.search(r"\d", c)
        if wrapped and adjacent and out and not re.search(r"[.:;]$", out[-1]):
            out[-1] = f"{out[-1]} {c}"
        elif c:
            out.append(c)
        adjacent = bool(c)
    return out


def title_of(path: Path, doc: ParsedDoc) -> str:
    """Document title: metadata, subject, the agreement's own title line (skipping W-9s,
    fax covers, signature pages and running headers), else the first heading-like line."""
    for key in ("title", "subject"):
        value = (doc.metadata.get(key) or "").strip()
        if value and not BOILERPLATE_RE.search(value) and not re.search(r"\.(?:docx?|pdf)$", value, re.I):
            return value
    counts: dict[str, int] = {}
    for ln in doc.text.splitlines():
        counts[ln.strip()] = counts.get(ln.strip(), 0) + 1
    candidates = [
        c for ln in doc.text[:PREAMBLE_WINDOW].splitlines()
        if (c := _candidate(ln)) and not (doc.pages > 1 and counts.get(ln.strip(), 0) >= 2)
    ]
    start = preamble_start(doc.text)
    if start >= 0:
        titled = [c for c in _title_lines(doc.text[:start]) if _agreement_title(c)]
        if titled:
            return titled[-1]
    titled = [c for c in candidates[:3] if _agreement_title(c)]
    if titled:
        return titled[0]
    if candidates:
        return candidates[0]
    return path.stem


def opening_of(path: Path, text: str, title: str) -> str:
    """What the payer registry searches for payer names: the document's first 6,000
    characters, its title and its file name."""
    return text[:6000] + "\n" + title + "\n" + re.sub(r"[_\-.]+", " ", path.stem)


def contract_id_of(text: str) -> str:
    """'Agreement No. ...' near the start, or around the preamble when forms come first."""
    start = preamble_start(text)
    for region in (text[:6000], text[max(0, start - 3000) : start + 6000] if start >= 0 else ""):
        m = _CONTRACT_ID.search(region)
        if m:
            return m.group(1).rstrip(".,;")
    return ""


def counterparty_of(text: str) -> str:
    """The payer's clean legal name from the preamble ('between X, Inc., a Texas corporation
    ("Health Plan"), and Y ("Provider")' → 'X, Inc.'), or ''."""
    party = payer_party(parties_of(text))
    return party.name if party else ""


def describe(path: Path, doc: ParsedDoc) -> DocMeta:
    """Build the document metadata. ``payer_name`` is the counterparty the document names;
    which payer it belongs to (``payer_id``) is decided by the payer registry at the end of
    every ingest run (assistant/stores/registry.py), never by the payers known now."""
    head = doc.text[:6000]
    title = title_of(path, doc)
    meta = DocMeta(title=title, doc_type=doc_type_of(path, doc, head, title))
    meta.payer_name = counterparty_of(doc.text)
    meta.contract_id = contract_id_of(doc.text)
    if doc.format == "email" and doc.metadata.get("date"):
        from email.utils import parsedate_to_datetime

        try:
            meta.effective_date = parsedate_to_datetime(doc.metadata["date"]).date()
        except (TypeError, ValueError):
            pass
    if meta.effective_date is None:
        meta.effective_date = effective_date_of(doc.text)
    return meta
