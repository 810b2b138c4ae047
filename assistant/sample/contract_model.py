"""The structure shared by every rendered contract: articles, sections, exhibits.

Renderers (PDF, DOCX, TXT) walk a :class:`ContractDoc`; ground truth reads the same
objects, so the quoted sentence of each clause is exactly what was rendered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

_WORDS = {
    12: "twelve", 15: "fifteen", 24: "twenty-four", 30: "thirty", 36: "thirty-six",
    45: "forty-five", 60: "sixty", 75: "seventy-five", 90: "ninety",
    120: "one hundred twenty", 180: "one hundred eighty", 365: "three hundred sixty-five",
}


def num(n: int, words: bool) -> str:
    """'ninety (90)' in the wordy style, '90' otherwise."""
    return f"{_WORDS[n]} ({n})" if words and n in _WORDS else str(n)


def long_date(day: dt.date) -> str:
    """'April 1, 2024'."""
    return f"{day:%B} {day.day}, {day.year}"


@dataclass
class Section:
    """A numbered section; ``quote`` is one sentence of ``paragraphs`` cited in ground truth."""

    number: str
    heading: str
    paragraphs: list[str]
    clause_type: str | None = None
    quote: str | None = None
    terms: tuple[str, ...] = ()
    label: str = ""


@dataclass
class Article:
    """A numbered article holding sections."""

    label: str
    heading: str
    sections: list[Section]


@dataclass
class Exhibit:
    """An exhibit: intro paragraphs (as a section) and an optional table with header row."""

    title: str
    section: Section
    table: list[list[str]] | None = None
    col_widths: list[float] | None = None


@dataclass
class ContractDoc:
    """One contract or amendment document."""

    file: str
    payer_id: str
    doc_type: str
    title: str
    agreement_no: str
    effective_date: dt.date
    preamble: list[str]
    recitals: list[str]
    articles: list[Article]
    exhibits: list[Exhibit]
    signatories: list[tuple[str, str, str]]  # (party, name, title)
    injection: str | None = None
    scanned_signature: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    def sections(self) -> list[Section]:
        """Every section, exhibits included, in document order."""
        out = [s for a in self.articles for s in a.sections]
        out.extend(e.section for e in self.exhibits)
        return out
