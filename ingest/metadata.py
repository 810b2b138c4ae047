"""Document-level metadata: title, doc type, payer, contract id, effective date."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.periods import MONTH_NUMBERS
from ingest.parsers import ParsedDoc

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
_COUNTERPARTY = re.compile(
    r"\b(?:between|by and between)\s+(.{3,120}?)\s*,?\s*\(\s*(?:the\s+)?[\"“]?"
    r"(?:Payer|Plan|Health Plan|Insurer|Carrier)[\"”]?\s*\)",
    re.I | re.S,
)


@dataclass
class PayerRef:
    """A payer known to the warehouse."""

    payer_id: str
    name: str
    aliases: list[str] = field(default_factory=list)


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


def effective_date_of(text: str) -> dt.date | None:
    """The stated effective date: a date right after 'effective', 'dated', 'entered into'."""
    head = text[:6000]
    for m in _EFFECTIVE.finditer(head):
        d = parse_date(head[m.end() : m.end() + 40])
        if d:
            return d
    return None


def doc_type_of(path: Path, doc: ParsedDoc, head: str) -> str:
    """contract | amendment | exhibit | note | email."""
    if doc.format == "email":
        return "email"
    name = path.stem.lower()
    lead = head[:400].lower()
    if doc.format == "markdown" or re.search(r"\bnotes?\b|\bminutes\b|\bmeeting\b|\bcall\b", name):
        return "note"
    if "amendment" in name or re.search(r"\bamendment\b", lead):
        return "amendment"
    if re.search(r"\b(exhibit|schedule|attachment)\b", name):
        return "exhibit"
    return "contract"


RUNNING_LINE_RE = re.compile(r"^page \d+( of \d+)?$|\bconfidential\s*$|^\W*\d+\W*$", re.I)


def title_of(path: Path, doc: ParsedDoc) -> str:
    """Document title: metadata, subject, first Markdown heading or first short line."""
    if doc.metadata.get("title"):
        return doc.metadata["title"].strip()
    if doc.metadata.get("subject"):
        return doc.metadata["subject"].strip()
    lines = [ln.strip() for ln in doc.text.splitlines()]
    counts: dict[str, int] = {}
    for ln in lines:
        counts[ln] = counts.get(ln, 0) + 1
    for line in lines[:30]:
        s = line.lstrip("#").strip()
        if doc.pages > 1 and counts.get(line, 0) >= 2:
            continue  # a running header or footer, repeated on every page
        if RUNNING_LINE_RE.search(s):
            continue
        if 4 <= len(s) <= 120 and sum(c.isalpha() for c in s) >= 4:
            return s
    return path.stem


def match_payer(text: str, payers: list[PayerRef]) -> PayerRef | None:
    """The payer whose name or alias appears earliest in the document's opening."""
    head = text[:6000].lower()
    best: tuple[int, int, PayerRef] | None = None
    for p in payers:
        for name in [p.name, *p.aliases]:
            name = name.strip()
            if len(name) < 3:
                continue
            m = re.search(r"(?<!\w)" + re.escape(name.lower()) + r"(?!\w)", head)
            if m and (best is None or (m.start(), -len(name)) < (best[0], best[1])):
                best = (m.start(), -len(name), p)
    return best[2] if best else None


def counterparty_of(text: str) -> str:
    """The payer named in a preamble like 'between X ("Payer") and ...'."""
    m = _COUNTERPARTY.search(text[:4000])
    if not m:
        return ""
    name = " ".join(m.group(1).split()).strip(' ,"“”')
    name = re.split(r"\s+and\s+", name)[-1] if " and " in name else name
    return name[:100]


def describe(path: Path, doc: ParsedDoc, payers: list[PayerRef]) -> DocMeta:
    """Build the document metadata."""
    head = doc.text[:6000]
    meta = DocMeta(title=title_of(path, doc), doc_type=doc_type_of(path, doc, head))
    stem = re.sub(r"[_\-.]+", " ", path.stem)
    payer = match_payer(head + "\n" + meta.title + "\n" + stem, payers)
    if payer is not None:
        meta.payer_id, meta.payer_name = payer.payer_id, payer.name
    else:
        meta.payer_name = counterparty_of(head)
    m = _CONTRACT_ID.search(head)
    if m:
        meta.contract_id = m.group(1).rstrip(".,;")
    if doc.format == "email" and doc.metadata.get("date"):
        from email.utils import parsedate_to_datetime

        try:
            meta.effective_date = parsedate_to_datetime(doc.metadata["date"]).date()
        except (TypeError, ValueError):
            pass
    if meta.effective_date is None:
        meta.effective_date = effective_date_of(head)
    return meta
