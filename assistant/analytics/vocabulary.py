"""The warehouse's own vocabulary: known payers (ids, names, aliases) and codes.

User input is resolved to a known payer or code with exact matching first, then
rapidfuzz; anything unresolved raises ``UnknownEntityError`` naming the closest known
ones, so an unknown name never reads as an empty result (zero).
"""

from __future__ import annotations

import re

import duckdb
from pydantic import BaseModel

from assistant.errors import UnknownEntityError

FUZZY_CUTOFF = 85.0

# CPT ranges of the categories a proposal can name ("E/M", "imaging" ...).
CODE_CATEGORIES: dict[str, tuple[tuple[str, str], ...]] = {
    "em": (("99202", "99499"),),
    "imaging": (("70010", "79999"),),
    "radiology": (("70010", "79999"),),
    "lab": (("80047", "89398"),),
    "surgery": (("10004", "69990"),),
    "medicine": (("90281", "99199"),),
    "therapy": (("97010", "97799"),),
}
CATEGORY_ALIASES = {"e/m": "em", "e&m": "em", "evaluation and management": "em",
                    "office visits": "em", "visits": "em", "x-ray": "imaging",
                    "mri": "imaging", "pt": "therapy", "physical therapy": "therapy",
                    "laboratory": "lab", "surgical": "surgery"}


class PayerInfo(BaseModel):
    """One known payer."""

    payer_id: str
    name: str
    plan_type: str | None = None
    aliases: list[str] = []


class Vocabulary(BaseModel):
    """Known payers and codes, read from the warehouse."""

    payers: list[PayerInfo]
    codes: list[str]

    @classmethod
    def load(cls, conn: duckdb.DuckDBPyConnection) -> Vocabulary:
        """Read payers (payers table plus any payer id seen in claims) and codes."""
        payers = [PayerInfo(payer_id=r[0], name=r[1], plan_type=r[2], aliases=list(r[3] or []))
                  for r in conn.execute("SELECT payer_id, name, plan_type, aliases FROM payers "
                                        "ORDER BY payer_id").fetchall()]
        known = {p.payer_id for p in payers}
        for (pid,) in conn.execute("SELECT DISTINCT payer_id FROM fee_schedule UNION "
                                   "SELECT DISTINCT payer_id FROM claim_lines").fetchall():
            if pid not in known:
                payers.append(PayerInfo(payer_id=pid, name=pid))
        codes = sorted(r[0] for r in conn.execute(
            "SELECT code FROM fee_schedule UNION SELECT code FROM claim_lines UNION "
            "SELECT code FROM costs").fetchall())
        return cls(payers=payers, codes=codes)

    def payer_name(self, payer_id: str) -> str:
        """Display name of a payer id (the id itself when unnamed)."""
        return next((p.name for p in self.payers if p.payer_id == payer_id), payer_id)

    def resolve_payer(self, text: str) -> str:
        """The payer_id meant by ``text`` (id, name or alias; fuzzy), else UnknownEntityError."""
        from rapidfuzz import fuzz, process

        want = _norm(text)
        choices: dict[str, str] = {}
        for p in self.payers:
            for label in (p.payer_id, p.name, *p.aliases):
                choices.setdefault(_norm(label), p.payer_id)
        if want in choices:
            return choices[want]
        if want:
            hits = process.extract(want, list(choices), scorer=fuzz.WRatio, limit=5)
            strong = {choices[h[0]] for h in hits if h[1] >= FUZZY_CUTOFF}
            if len(strong) == 1:
                return strong.pop()
            suggestions = list(dict.fromkeys(self.payer_name(choices[h[0]]) for h in hits))[:3]
        else:
            suggestions = [p.name for p in self.payers[:3]]
        raise UnknownEntityError("payer", text, suggestions)

    def resolve_code(self, text: str) -> str:
        """A known code (CPT/HCPCS, case-insensitive), else UnknownEntityError."""
        from rapidfuzz import process

        want = text.strip().upper()
        if want in self.codes:
            return want
        hits = process.extract(want, self.codes, limit=3)
        raise UnknownEntityError("code", text, [h[0] for h in hits])

    def codes_in_category(self, category: str) -> list[str]:
        """Known codes of a category ('em', 'imaging', 'E/M', ...), else UnknownEntityError."""
        key = CATEGORY_ALIASES.get(category.strip().lower(), category.strip().lower())
        if key not in CODE_CATEGORIES:
            raise UnknownEntityError("code category", category, sorted(CODE_CATEGORIES)[:5])
        return [c for c in self.codes if code_in_category(c, key)]


def code_in_category(code: str, category: str) -> bool:
    """True when a 5-digit CPT code lies in one of the category's ranges."""
    if not re.fullmatch(r"\d{5}", code):
        return False
    return any(lo <= code <= hi for lo, hi in CODE_CATEGORIES.get(category, ()))


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text.lower()).split())
