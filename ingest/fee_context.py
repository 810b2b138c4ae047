"""Where a fee row or rule sits in its document: page, exhibit label and program.

Shared by ``ingest.fee_tables`` (rate rows) and ``ingest.fee_rules`` (rates by reference).
"""

from __future__ import annotations

import bisect
import re

from ingest.chunking import page_of, sections_of
from ingest.parsers import ParsedDoc

PARENT_PREFIXES = ("Exhibit", "Schedule", "Attachment", "Appendix", "Addendum")
PROGRAM_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Medicare Advantage", re.compile(r"medicare\s+advantage|medicare\s+part\s+c\b|\bD-?SNP\b|"
                                      r"\bMAPD\b", re.I)),
    ("Medicaid", re.compile(r"medicaid|medi-cal|\bCHIP\b", re.I)),
    ("Exchange", re.compile(r"\bexchange\b|marketplace|qualified health plan|\bQHP\b", re.I)),
    ("Commercial", re.compile(r"\bcommercial\b|employer group", re.I)),
)


def program_of(text: str) -> str:
    """The program a heading or sentence names ("" if none)."""
    for name, rx in PROGRAM_CUES:
        if rx.search(text):
            return name
    return ""



class Locator:
    """Page, section label (the exhibit a line sits in) and program context of offsets."""

    def __init__(self, doc: ParsedDoc) -> None:
        self.doc = doc
        self.starts: list[int] = []
        self.labels: list[str] = []
        self.programs: list[str] = []
        parent = ""
        for s, _e, h in sections_of(doc):
            label = " ".join(x for x in (h.section, h.heading) if x)
            if h.section.startswith(PARENT_PREFIXES):
                parent = h.section
            elif h.section.startswith("Article"):
                parent = ""
            self.starts.append(s)
            self.labels.append(parent or h.section or h.heading)
            self.programs.append(program_of(label))

    def _at(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.starts, pos) - 1)

    def page(self, pos: int) -> int:
        """1-based page of a character offset."""
        return page_of(self.doc.page_offsets, pos)

    def section(self, pos: int) -> str:
        """The exhibit (or section) label of a character offset."""
        return self.labels[self._at(pos)] if self.starts else ""

    def heading_program(self, pos: int) -> str:
        """The program named by the nearest heading of the same exhibit, or ""."""
        i = self._at(pos)
        label = self.labels[i] if self.starts else ""
        while i >= 0 and (self.labels[i] == label):
            if self.programs[i]:
                return self.programs[i]
            i -= 1
        return ""
