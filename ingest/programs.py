"""Which program (line of business) a contract passage applies to.

Real payer agreements cover several programs in one document: a base agreement plus a
Medicaid attachment and a Medicare Advantage attachment, each with its own filing limit or
payment days. A term's program comes from the sentence when the sentence scopes itself
("For Medicare Advantage Members, ... ninety (90) days"), else from the section heading,
the enclosing article, or the attachment; "" means general (the whole agreement).

A mere mention is not a scope: "100% of the Medicare fee schedule" or "except as required
by Medicaid" names no program the sentence applies to.
"""

from __future__ import annotations

import re

#: Canonical program names, as stored in ``contract_terms.program``.
PROGRAMS = ("Medicare Advantage", "Medicaid", "CHIP", "Exchange", "Commercial")

_NAMES: tuple[tuple[str, str], ...] = (
    ("Medicare Advantage",
     r"Medicare[\s-]+Advantage|Medicare\s+Part\s+C|\bD-?SNPs?\b|Dual[\s-]+Special[\s-]+Needs"
     r"|\bMAPD\b|\bMA(?=[\s-]+(?:Members?|Enrollees?|Plans?|Products?|Program|Claims?)\b)"
     r"|(?<!Original\s)(?<!Traditional\s)Medicare(?![\s-]+(?:fee|FFS|allowable|rates?|physician"
     r"|RBRVS|reimbursement|Advantage|Part\s+[ABD])\b)"),
    ("CHIP", r"\bCHIP\b|Children'?s\s+Health\s+Insurance\s+Program"),
    ("Medicaid", r"Medicaid|Medi-Cal|Medical\s+Assistance(?:\s+Program)?"),
    ("Exchange",
     r"(?:Health\s+Insurance\s+)?(?:Exchange|Marketplace)(?=[\s-]+(?:Members?|Enrollees?|Plans?"
     r"|Products?|Program|Claims?|Business)\b)|Qualified\s+Health\s+Plans?|\bQHPs?\b"
     r"|Affordable\s+Care\s+Act\s+(?:Plans?|Products?)"),
    ("Commercial",
     r"Commercial(?=[\s-]+(?:Members?|Enrollees?|Plans?|Products?|Program|Claims?|Business"
     r"|Lines?\s+of\s+Business|Benefit\s+Plans?|Health\s+Plans?|Insured)\b)"),
)
_NAME_RX = [(p, re.compile(rx, re.I)) for p, rx in _NAMES]
# What a program word must be followed by (or preceded by) to scope a sentence.
_SCOPE_AFTER = re.compile(
    r"^(?:'s)?[\s-]*(?:managed\s+care\s+|health\s+|benefit\s+)?(?:Members?|Enrollees?|Beneficiar\w+"
    r"|Recipients?|Participants?|Covered\s+Persons?|Products?|Plans?|Programs?|Claims?|Lines?\s+of"
    r"\s+Business|Business|Covered\s+Services|Services|Attachment|Addendum|Appendix|Exhibit)\b",
    re.I,
)
_SCOPE_BEFORE = re.compile(
    r"(?:\bfor|\bunder|\bto|\bin|\bregarding|\binvolving|applicable\s+to|with\s+respect\s+to)"
    r"\s+(?:the\s+|a\s+|an\s+|any\s+|all\s+|each\s+|(?:Health\s+Plan|Company|Plan|Payor|Payer)'s\s+)?$",
    re.I,
)
_NEGATED = re.compile(r"\b(?:except|unless|other\s+than|excluding|exclusive\s+of|not\s+apply\s+to"
                      r"|but\s+not)\b[^.;]{0,40}$", re.I)
_RATE_CONTEXT = re.compile(
    r"(?:%|percent)\)?\s*of\s+(?:the\s+)?(?:then[\s-]current\s+|current\s+|prevailing\s+)?"
    r"(?:\d{4}\s+)?$",
    re.I,
)


def mentions(text: str, scoped: bool = True) -> list[tuple[int, int, str]]:
    """(start, end, program) of each program named in ``text``.

    With ``scoped`` only mentions that scope the text count: a program word followed by
    Members/Claims/Products/... or introduced by "for"/"under"/"applicable to", and not
    negated ("except for Medicaid Members"). Headings are read with ``scoped=False``.
    """
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for program, rx in _NAME_RX:
        for m in rx.finditer(text):
            if any(a <= m.start() < b or m.start() <= a < m.end() for a, b in taken):
                continue
            before = text[max(0, m.start() - 60) : m.start()]
            after = text[m.end() : m.end() + 40]
            if scoped:
                if _NEGATED.search(before):
                    continue
                if not (_SCOPE_AFTER.match(after) or _SCOPE_BEFORE.search(before)):
                    continue
            elif _RATE_CONTEXT.search(before):
                continue
            taken.append((m.start(), m.end()))
            found.append((m.start(), m.end(), program))
    return sorted(found)


def program_of_heading(*headings: str) -> str:
    """The one program the first heading that names exactly one program is about, or ""."""
    for heading in headings:
        names = {p for _, _, p in mentions(heading or "", scoped=False)}
        if len(names) == 1:
            return names.pop()
        if len(names) > 1:
            return ""
    return ""


def program_at(sentence: str, pos: int, quantity_positions: list[int], default: str) -> str:
    """The program a quantity at ``pos`` in ``sentence`` applies to.

    A scoping mention right after the quantity's clause ("within 120 days ... for Medicaid
    Members") wins, then the nearest one before it; neither may lie beyond another
    quantity. Without any, the passage's program (``default``).
    """
    found = mentions(sentence)
    if not found:
        return default
    if len({p for _, _, p in found}) == 1 and len(quantity_positions) <= 1:
        return found[0][2]
    later = [q for q in quantity_positions if q > pos]
    limit = later[0] if later else len(sentence)
    for start, _, program in found:
        if pos < start < limit and start - pos <= 120:
            lead = sentence[max(pos, start - 25) : start]
            if re.search(r"\b(?:for|to|of|under|regarding)\s+(?:the\s+|all\s+|any\s+)?$", lead, re.I):
                return program
    earlier = [q for q in quantity_positions if q < pos]
    floor = earlier[-1] if earlier else -1
    before = [program for start, _, program in found if floor < start < pos]
    if before:
        return before[-1]
    after = [program for start, _, program in found if pos < start < limit]
    return after[0] if after else default
