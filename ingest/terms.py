"""Contract-term extraction: ``TERM_KEYS`` values with the chunk that states them.

Works sentence by sentence on tagged chunks. Numbers may be digits, words, or both
("ninety (90) days"). One value per document and term: the first statement wins.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ingest.chunking import Chunk
from ingest.discovery import looks_like_injection

_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_WORD = r"(?:" + "|".join(sorted([*_UNITS, *_TENS, "hundred", "and"], key=len, reverse=True)) + r")"
_QTY = re.compile(
    r"(?:(?P<words>\b" + _WORD + r"(?:[\s-]+" + _WORD + r")*)\s*)?(?:\(\s*(?P<paren>\d{1,4})\s*\)|"
    r"(?P<digits>\b\d{1,4}))?\s*[\s-]?(?:calendar\s+|business\s+|working\s+)?"
    r"(?P<unit>days?|months?|years?)\b",
    re.I,
)
_SENT = re.compile(r"(?<=[.;])\s+(?=[A-Z(])|\n\s*\n")
_PCT_MEDICARE = re.compile(
    r"(?<![\d.])(\d{1,3}(?:\.\d+)?)\s*(?:%|percent)(?:\s*\(\d{1,3}(?:\.\d+)?%\))?\s+of\s+(?:the\s+)?"
    r"(?:(\d{4})\s+)?(?:current\s+|then[\s-]current\s+|prevailing\s+)?"
    r"(Medicare|Medicaid|CMS|RBRVS|billed\s+charges)[^.;]{0,60}?(?:\b((?:19|20)\d{2})\b)?",
    re.I,
)
_PER_CODE = re.compile(
    r"\b(?:rates?|compensation|fee\s+schedule)\b[^.]{0,100}?\b(?:set\s+(?:out|forth)\s+in|listed\s+in|"
    r"shown\s+in|contained\s+in|in)\s+(Exhibit|Schedule|Attachment|Appendix)\s+([A-Z0-9][A-Z0-9\-]*)\b",
    re.I,
)
_INTEREST = re.compile(
    r"interest[^.]{0,80}?(\d{1,2}(?:\.\d+)?)\s*(?:%|percent)[^.]{0,30}?(?:per\s+annum|annual|a\s+year|per\s+year)",
    re.I,
)


def words_to_int(words: str) -> int | None:
    """'one hundred twenty' → 120; None if not a number phrase."""
    total, cur, seen = 0, 0, False
    for w in re.split(r"[\s-]+", words.lower().strip()):
        if w in _UNITS:
            cur += _UNITS[w]
        elif w in _TENS:
            cur += _TENS[w]
        elif w == "hundred":
            cur = max(cur, 1) * 100
        elif w == "and" or not w:
            continue
        else:
            return None
        seen = True
    return total + cur if seen else None


def quantities(sentence: str) -> list[tuple[int, str, int]]:
    """(value, unit, position) for every 'N days/months/years' in a sentence."""
    out = []
    for m in _QTY.finditer(sentence):
        num = m.group("paren") or m.group("digits")
        value = int(num) if num else (words_to_int(m.group("words")) if m.group("words") else None)
        if value is None:
            continue
        unit = m.group("unit").lower().rstrip("s")
        out.append((value, unit, m.start()))
    return out


def _days(sentence: str) -> int | None:
    for value, unit, _ in quantities(sentence):
        if unit == "day":
            return value
    return None


def _months(sentence: str, after: int = 0) -> int | None:
    for value, unit, pos in quantities(sentence):
        if unit in ("month", "year") and pos >= after:
            return value * 12 if unit == "year" else value
    return None


@dataclass
class Term:
    """One extracted term value and where it is stated."""

    term: str
    value_num: float | None
    value_text: str
    chunk: Chunk | None  # None for a term stated by absence (no MFN clause)
    quote: str


_RULES: list[tuple[str, str, re.Pattern[str], str]] = [
    # (term, chunk clause tag or '', sentence trigger, extractor)
    (
        "initial_term_months",
        "term_renewal",
        re.compile(r"\binitial\s+term\b|\bterm\s+of\s+this\s+agreement\b", re.I),
        "months",
    ),
    ("renewal_term_months", "term_renewal", re.compile(r"\brenew", re.I), "months_renew"),
    (
        "non_renewal_notice_days",
        "term_renewal",
        re.compile(r"not\s+to\s+renew|non-?renewal|notice\s+of\s+(?:its\s+)?intent", re.I),
        "days",
    ),
    (
        "termination_without_cause_days",
        "termination_without_cause",
        re.compile(r"without\s+cause|for\s+convenience|any\s+reason", re.I),
        "days",
    ),
    (
        "timely_filing_days",
        "timely_filing",
        re.compile(
            r"date\s+of\s+service|timely\s+filing|filing\s+limit|(?:submitted|filed|received)\b[^.]{0,40}\b(?:within|no\s+later\s+than)",
            re.I,
        ),
        "days",
    ),
    ("clean_claim_payment_days", "prompt_pay", re.compile(r"clean\s+claim", re.I), "days"),
    ("appeal_window_days", "appeals", re.compile(r"\bappeal|reconsideration", re.I), "days"),
    (
        "payer_amendment_notice_days",
        "fee_schedule_updates",
        re.compile(r"\bnotice\b", re.I),
        "days",
    ),
]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT.split(text) if s and s.strip()]


def extract_terms(
    chunks: list[Chunk],
    tags: list[list[str]],
    effective: dt.date | None,
    base_contract: bool = True,
) -> list[Term]:
    """Extract every ``TERM_KEYS`` value found in a document's tagged chunks.

    Sentences that look like prompt injection are never a source of terms. For a base
    contract (not an amendment) the absence of an MFN clause is recorded as ``false``.
    """
    found: dict[str, Term] = {}
    per_code: Term | None = None
    if effective is not None and chunks:
        iso = effective.isoformat()
        first = next((c for c in chunks if re.search(r"effective", c.text, re.I)), chunks[0])
        found["effective_date"] = Term(
            "effective_date", None, iso, first, _quote(first.text, "effective")
        )
    for chunk, chunk_tags in zip(chunks, tags, strict=True):
        sentences = [s for s in _sentences(chunk.text) if not looks_like_injection(s)]
        for term, tag, trigger, kind in _RULES:
            if term in found or (tag and tag not in chunk_tags):
                continue
            for sent in sentences:
                if not trigger.search(sent):
                    continue
                if kind == "days":
                    value = _days(sent)
                elif kind == "months_renew":
                    m = re.search(
                        r"successive|additional|renewal\s+term|renew\w*\s+for", sent, re.I
                    )
                    value = _months(sent, after=m.start()) if m else None
                else:
                    value = _months(sent)
                if value is not None:
                    found[term] = Term(term, float(value), str(value), chunk, sent[:500])
                    break
        if "auto_renewal" not in found and "term_renewal" in chunk_tags:
            for sent in sentences:
                if re.search(
                    r"automatically\s+(?:be\s+)?renew|renews?\s+automatically", sent, re.I
                ):
                    found["auto_renewal"] = Term("auto_renewal", 1.0, "true", chunk, sent[:500])
                    break
        if "mfn_present" not in found and "most_favored_nation" in chunk_tags:
            sent = next(
                (
                    s
                    for s in sentences
                    if re.search(r"favou?red|favou?rable|lower|any other", s, re.I)
                ),
                chunk.text[:300],
            )
            found["mfn_present"] = Term("mfn_present", 1.0, "true", chunk, sent[:500])
        if "prompt_pay_interest_pct" not in found:
            for sent in sentences:
                m = _INTEREST.search(sent)
                if m:
                    found["prompt_pay_interest_pct"] = Term(
                        "prompt_pay_interest_pct", float(m.group(1)), m.group(1), chunk, sent[:500]
                    )
                    break
        if "fee_schedule_basis" not in found and "fee_schedule" in chunk_tags:
            for sent in sentences:
                m = _PCT_MEDICARE.search(sent)
                if m:
                    year = m.group(2) or m.group(4)
                    basis = (
                        " ".join(m.group(3).split())
                        .title()
                        .replace("Cms", "CMS")
                        .replace("Rbrvs", "RBRVS")
                    )
                    text = f"{m.group(1)}% of {basis}" + (f" {year}" if year else "")
                    found["fee_schedule_basis"] = Term(
                        "fee_schedule_basis", float(m.group(1)), text, chunk, sent[:500]
                    )
                    break
                m = _PER_CODE.search(sent)
                if m and per_code is None:
                    text = f"Fee schedule per code ({m.group(1).title()} {m.group(2)})"
                    per_code = Term("fee_schedule_basis", None, text, chunk, sent[:500])
    if "fee_schedule_basis" not in found and per_code is not None:
        found["fee_schedule_basis"] = per_code
    if base_contract and chunks and "mfn_present" not in found:
        found["mfn_present"] = Term("mfn_present", 0.0, "false", None, "")
    return list(found.values())


def _quote(text: str, word: str) -> str:
    for sent in _sentences(text):
        if word.lower() in sent.lower():
            return sent[:500]
    return text[:300]
