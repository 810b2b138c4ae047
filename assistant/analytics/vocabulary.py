"""The warehouse's own vocabulary: known payers (ids, names, aliases) and codes.

One resolver for every edge and engine: user input is resolved to a known payer or code
with exact matching first, then rapidfuzz; anything unresolved raises
``UnknownEntityError`` naming the closest known ones, so an unknown name never reads as
an empty result (zero). A caller scoped to some payers is only ever offered those payers
as suggestions, and naming another payer is ``PermissionDenied``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb

from assistant.errors import PermissionDenied, UnknownEntityError

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


@dataclass(frozen=True)
class PayerInfo:
    """One known payer with every name it goes by."""

    payer_id: str
    name: str
    plan_type: str | None = None
    aliases: tuple[str, ...] = ()

    def names(self) -> list[str]:
        """Name, id and aliases."""
        return [self.name, self.payer_id, *self.aliases]


@dataclass
class Vocabulary:
    """Known payers and codes, read from the warehouse.

    ``codes`` are the practice's own (fee schedules, claims, costs): categories and "all"
    expand to these. ``reference_codes`` are codes only a reference table knows (Medicare's
    fee schedule): they are real codes, so they resolve, but expand to nothing.
    """

    payers: list[PayerInfo] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    descriptions: dict[str, str] = field(default_factory=dict)  # code → plain-English service
    reference_codes: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self._known = frozenset(self.codes) | self.reference_codes

    @classmethod
    def load(cls, conn: duckdb.DuckDBPyConnection) -> Vocabulary:
        """Read payers (the payers table plus any payer id seen in rates, terms or claims),
        codes and their service descriptions."""
        payers = [PayerInfo(r[0], r[1] or r[0], r[2], tuple(a for a in (r[3] or []) if a))
                  for r in conn.execute("SELECT payer_id, name, plan_type, aliases FROM payers "
                                        "ORDER BY payer_id").fetchall()]
        known = {p.payer_id for p in payers}
        for (pid,) in conn.execute(
                "SELECT payer_id FROM fee_schedule UNION SELECT payer_id FROM claim_lines "
                "UNION SELECT payer_id FROM contract_terms ORDER BY 1").fetchall():
            if pid and pid not in known:
                payers.append(PayerInfo(pid, pid))
                known.add(pid)
        codes = sorted(r[0] for r in conn.execute(
            "SELECT code FROM fee_schedule UNION SELECT code FROM claim_lines UNION "
            "SELECT code FROM costs").fetchall() if r[0])
        reference = frozenset(r[0] for r in conn.execute(
            "SELECT DISTINCT code FROM medicare_rates").fetchall() if r[0])
        descriptions = dict(conn.execute(
            "SELECT code, description FROM costs WHERE description IS NOT NULL").fetchall())
        return cls(payers=payers, codes=codes, descriptions=descriptions,
                   reference_codes=reference - set(codes))

    def is_code(self, code: str) -> bool:
        """True for a code the practice or a reference table knows."""
        return code in self._known

    def payer_name(self, payer_id: str) -> str:
        """Display name of a payer id (the id itself when unnamed)."""
        return next((p.name for p in self.payers if p.payer_id == payer_id), payer_id)

    def resolve_payer(self, text: str, allowed: list[str] | None = None) -> str:
        """The payer_id meant by ``text`` (id, name or alias; close typos), else
        UnknownEntityError; PermissionDenied when it is outside ``allowed``."""
        from rapidfuzz import fuzz, process

        want = _norm(text)
        choices: dict[str, str] = {}
        for p in self.payers:
            for label in p.names():
                choices.setdefault(_norm(label), p.payer_id)
        if want in choices:
            return _check_allowed(choices[want], allowed)
        fuzzy = [c for c in choices if len(c) >= 3]
        hits = process.extract(want, fuzzy, scorer=fuzz.WRatio, limit=5) if want else []
        strong = {choices[h[0]] for h in hits if h[1] >= FUZZY_CUTOFF}
        if len(strong) == 1:
            return _check_allowed(strong.pop(), allowed)
        visible = [p for p in self.payers if allowed is None or p.payer_id in allowed]
        ranked = [self.payer_name(choices[h[0]]) for h in hits if h[1] >= 50]
        names = {p.name for p in visible}
        suggestions = [n for n in dict.fromkeys(ranked) if n in names][:3]
        raise UnknownEntityError("payer", text, suggestions or [p.name for p in visible[:3]])

    def resolve_code(self, text: str) -> str:
        """A known code (CPT/HCPCS, case-insensitive), else UnknownEntityError."""
        from rapidfuzz import fuzz, process

        want = text.strip().upper()
        if want in self._known:
            return want
        hits = process.extract(want, self.codes or sorted(self._known), scorer=fuzz.ratio, limit=3)
        raise UnknownEntityError("code", text, [h[0] for h in hits])

    def codes_in_category(self, category: str) -> list[str]:
        """Known codes of a category ('em', 'imaging', 'E/M', ...), else UnknownEntityError."""
        key = CATEGORY_ALIASES.get(category.strip().lower(), category.strip().lower())
        if key not in CODE_CATEGORIES:
            raise UnknownEntityError("code category", category, sorted(CODE_CATEGORIES)[:5])
        return [c for c in self.codes if code_in_category(c, key)]


def resolve_optional_payer(vocab: Vocabulary, text: str | None,
                           allowed: list[str] | None = None) -> str | None:
    """``vocab.resolve_payer`` for an optional argument: blank or None passes through."""
    if text is None or not str(text).strip():
        return None
    return vocab.resolve_payer(str(text), allowed)


def code_in_category(code: str, category: str) -> bool:
    """True when a 5-digit CPT code lies in one of the category's ranges."""
    if not re.fullmatch(r"\d{5}", code):
        return False
    return any(lo <= code <= hi for lo, hi in CODE_CATEGORIES.get(category, ()))


def _check_allowed(payer_id: str, allowed: list[str] | None) -> str:
    if allowed is not None and payer_id not in allowed:
        raise PermissionDenied("That payer's data is not visible to you here.")
    return payer_id


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text.lower()).split())
