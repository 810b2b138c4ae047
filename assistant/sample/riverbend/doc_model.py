"""The document model the contract renderers (PDF, DOCX) walk and ground truth reads.

A document is a list of blocks. A ``Clause`` block is a numbered section whose ``quote``
(one sentence of its text) is what ground truth cites; fee-schedule blocks carry the
``RateRow`` objects they print, so every exhibit row's page and section are known.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from assistant.sample.riverbend.model import RateRow

WORDS = {1: "one", 12: "twelve", 24: "twenty-four", 30: "thirty", 36: "thirty-six",
         45: "forty-five", 60: "sixty", 90: "ninety", 120: "one hundred twenty",
         180: "one hundred eighty", 365: "three hundred sixty-five", 115: "one hundred fifteen"}


def spelled(n: int) -> str:
    """'ninety (90)'."""
    return f"{WORDS[n]} ({n})"


def long_date(day: dt.date) -> str:
    """'March 1, 2026'."""
    return f"{day:%B} {day.day}, {day.year}"


@dataclass
class Clause:
    """A numbered section of an agreement."""

    label: str
    heading: str
    paragraphs: list[str]
    clause_type: str | None = None
    quote: str | None = None
    terms: dict[str, Any] = field(default_factory=dict)
    program: str | None = None

    def __post_init__(self) -> None:
        if self.quote is not None and not any(self.quote in p for p in self.paragraphs):
            raise ValueError(f"quote of {self.label} is not in its text")


@dataclass
class FeeRow:
    """One printed exhibit row: the rate it states and its label in the table."""

    rate: RateRow
    description: str


@dataclass
class Block:
    """kind: title | center | para | article | clause | form | pagebreak | signatures |
    grid | pipe | aligned | leaders | note."""

    kind: str
    text: str = ""
    clause: Clause | None = None
    rows: list[list[str]] = field(default_factory=list)
    fees: list[FeeRow] = field(default_factory=list)
    section: str = ""  # the exhibit label a fee table belongs to


@dataclass
class Doc:
    """One contract or amendment."""

    file: str
    payer_id: str
    doc_type: str  # contract | amendment
    title: str
    contract_id: str
    effective_date: dt.date
    blocks: list[Block]
    footer: str
    signatories: list[tuple[str, str, str]] = field(default_factory=list)

    def clauses(self) -> list[Clause]:
        """Every clause block, in order."""
        return [b.clause for b in self.blocks if b.clause is not None]

    def fee_blocks(self) -> list[Block]:
        """Blocks that print fee-schedule rows."""
        return [b for b in self.blocks if b.fees]


def article(label: str, heading: str) -> Block:
    """An article heading block."""
    return Block("article", f"{label} {heading}")


def clause(label: str, heading: str, paragraphs: list[str], clause_type: str | None = None,
           quote: str | None = None, program: str | None = None, **terms: Any) -> Block:
    """A clause block; ``quote`` defaults to the first paragraph when a type is given."""
    if clause_type and quote is None:
        quote = paragraphs[0]
    return Block("clause", clause=Clause(label, heading, paragraphs, clause_type, quote,
                                         dict(terms), program))


def para(text: str) -> Block:
    """A plain paragraph."""
    return Block("para", text)
