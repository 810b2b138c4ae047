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
        payers = with_acronyms(payers)
        codes = sorted(r[0] for r in conn.execute(
            # rule rows repeat every Medicare code; those resolve as reference codes
            "SELECT code FROM fee_schedule WHERE origin IS DISTINCT FROM 'rule' "
            "UNION SELECT code FROM claim_lines UNION "
            "SELECT code FROM costs").fetchall() if r[0])
        reference = frozenset(r[0] for r in conn.execute(
            "SELECT DISTINCT code FROM medicare_rates").fetchall() if r[0])
        descriptions = dict(conn.execute(
            "SELECT code, description FROM costs WHERE description IS NOT NULL").fetchall())
        # A practice without a costs file: the services named in its contracts' fee
        # exhibits ("73721 MRI lower extremity joint w/o contrast ... $412.00").
        for code, quote in conn.execute(
                "SELECT code, min(quote) FROM fee_schedule WHERE origin = 'contract' "
                "AND quote IS NOT NULL GROUP BY code").fetchall():
            if code and code not in descriptions:
                words = _exhibit_words(str(quote), str(code))
                if words:
                    descriptions[code] = words
        return cls(payers=payers, codes=codes, descriptions=descriptions,
                   reference_codes=reference - set(codes))

    def is_code(self, code: str) -> bool:
        """True for a code the practice or a reference table knows."""
        return code in self._known

    def payer_name(self, payer_id: str) -> str:
        """Display name of a payer id (the id itself when unnamed)."""
        return next((p.name for p in self.payers if p.payer_id == payer_id), payer_id)

    def resolve_payer(self, text: str, allowed: list[str] | None = None,
                      fuzzy: bool = True) -> str:
        """The payer_id meant by ``text`` (id, name or alias; close typos unless ``fuzzy``
        is False, as for a person's registry edits), else UnknownEntityError;
        PermissionDenied when it is outside ``allowed``."""
        from rapidfuzz import fuzz, process

        want = _norm(text)
        choices: dict[str, str] = {}
        for p in self.payers:
            for label in p.names():
                choices.setdefault(_norm(label), p.payer_id)
        if want in choices:
            return _check_allowed(choices[want], allowed)
        # Typos are matched on the names' distinctive words: "Health", "Plan", "Insurance"
        # are in every payer's name, and "Blue Mesa Health" is no payer called "... Health".
        distinct: dict[str, set[str]] = {}
        for label, pid in choices.items():
            key = _distinctive(label)
            if len(key) >= 3:
                distinct.setdefault(key, set()).add(pid)
        want_key = _distinctive(want)
        if fuzzy and len(distinct.get(want_key, ())) == 1:
            return _check_allowed(next(iter(distinct[want_key])), allowed)
        # Whole-string similarity (word order free), not WRatio's partial match: "Summit
        # Medicare Advantage" contains "Blue Summit"'s distinctive word yet names neither.
        hits = (process.extract(want_key, list(distinct), scorer=fuzz.token_sort_ratio, limit=5)
                if len(want_key) >= 5 else [])  # short strings (ids, initials) are exact
        strong = {pid for h in hits if h[1] >= FUZZY_CUTOFF for pid in distinct[h[0]]}
        if fuzzy and len(strong) == 1:
            return _check_allowed(strong.pop(), allowed)
        visible = [p for p in self.payers if allowed is None or p.payer_id in allowed]
        ranked = [self.payer_name(pid) for h in hits if h[1] >= 50 for pid in sorted(distinct[h[0]])]
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


def code_in_category(code: str, category: str) -> bool:
    """True when a 5-digit CPT code lies in one of the category's ranges."""
    if not re.fullmatch(r"\d{5}", code):
        return False
    return any(lo <= code <= hi for lo, hi in CODE_CATEGORIES.get(category, ()))


def _check_allowed(payer_id: str, allowed: list[str] | None) -> str:
    if allowed is not None and payer_id not in allowed:
        raise PermissionDenied("That payer's data is not visible to you here.")
    return payer_id


# Words every payer's name may carry: they never tell two payers apart.
GENERIC_WORDS = frozenset(
    "the of and health healthcare plan plans insurance insurer company co inc incorporated "
    "llc ltd corp corporation mutual cooperative coop association assn group services care "
    "medical benefits benefit network hmo ppo of".split())
LEGAL_WORDS = frozenset("inc incorporated llc ltd corp corporation co pc pllc lp llp the of and"
                        .split())


def _generic(word: str) -> bool:
    """A generic word, also misspelt ("helth", "insurence")."""
    if word in GENERIC_WORDS:
        return True
    if len(word) < 5:
        return False
    from rapidfuzz import fuzz

    return any(len(g) >= 5 and fuzz.ratio(word, g) >= 80 for g in GENERIC_WORDS)


def _distinctive(normed: str) -> str:
    """A normalised name without its generic words ("" when nothing else is left)."""
    return " ".join(w for w in normed.split() if not _generic(w))


def acronyms(name: str) -> set[str]:
    """Initials staff use for a payer ("Cedar Ridge Health Plan, Inc." → CRHP): of every
    word but legal suffixes, and also without a trailing Company/Association."""
    words = [w for w in re.findall(r"[A-Za-z]+", name) if w.lower() not in LEGAL_WORDS]
    out = {"".join(w[0] for w in words).upper()}
    if words and words[-1].lower() in ("company", "association"):
        out.add("".join(w[0] for w in words[:-1]).upper())
    return {a for a in out if len(a) >= 4}


def with_acronyms(payers: list[PayerInfo]) -> list[PayerInfo]:
    """Payers with their acronyms as aliases, where an acronym names only one payer and is
    not already some payer's id, name or alias."""
    taken = {_norm(n) for p in payers for n in p.names()}
    owners: dict[str, set[str]] = {}
    for p in payers:
        for a in acronyms(p.name):
            owners.setdefault(a, set()).add(p.payer_id)
    out = []
    for p in payers:
        extra = tuple(sorted(a for a in acronyms(p.name)
                             if owners[a] == {p.payer_id} and _norm(a) not in taken))
        out.append(PayerInfo(p.payer_id, p.name, p.plan_type, p.aliases + extra) if extra else p)
    return out


def _exhibit_words(quote: str, code: str) -> str:
    """The service words of a fee-exhibit row: no code, modifier, amount or leader."""
    text = re.sub(r"\$?\d[\d,]*(?:\.\d+)?%?|\.{2,}|[|_]", " ", quote.replace(code, " "))
    return " ".join(w for w in text.split() if len(w) > 1 or w.isalpha())[:120]


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text.lower()).split())
