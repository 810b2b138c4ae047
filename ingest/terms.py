"""Contract-term extraction: ``TERM_KEYS`` values with the chunk that states them.

Works sentence by sentence on tagged chunks. Numbers may be digits, words, or both
("ninety (90) days", OCR's "(l20)"). Each value carries the program it applies to
(``ingest.programs``); one value per document, term and program: the first statement
wins. A day count is the quantity its anchor follows ("... days *from the date of
service*", "... days *prior written notice*"), so other numbers in the sentence (a
primary payer's EOB window) are not taken for it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from ingest.chunking import Chunk
from ingest.discovery import looks_like_injection
from ingest.programs import program_at, program_of_heading

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
    r"(?:(?P<words>\b" + _WORD + r"(?:[\s-]+" + _WORD + r")*)\s*)?"
    r"(?:\(\s*(?P<paren>\d{1,4}|[\dlIO]{2,4})\s*\)|(?P<digits>\b\d{1,4}))?\s*[\s-]?"
    r"(?:calendar\s+|business\s+|working\s+)?(?P<unit>days?|months?|years?)\b",
    re.I,
)
_SENT = re.compile(r"(?<=[.;])\s+(?=[A-Z(])|\n\s*\n")
_PCT_MEDICARE = re.compile(
    r"(?<![\d.])\(?(\d{1,3}(?:\.\d+)?)\)?\s*(?:%|percent)\)?(?:\s*\(\d{1,3}(?:\.\d+)?%\))?\s+of\s+(?:the\s+)?"
    r"(?:(\d{4})\s+)?(?:current\s+|then[\s-]current\s+|prevailing\s+)?(?:State\s+)?"
    r"(Medicare|Medicaid|CMS|RBRVS|billed\s+charges)[^.;]{0,60}?(?:\b((?:19|20)\d{2})\b)?",
    re.I,
)
_PER_CODE = re.compile(
    r"\b(?:rates?|compensation|fee\s+schedule|allowables?|amounts?)\b[^.]{0,100}?\b(?:set\s+(?:out|forth)\s+in|listed\s+in|"
    r"shown\s+in|contained\s+in|in)\s+(Exhibit|Schedule|Attachment|Appendix)\s+([A-Z0-9][A-Z0-9\-]*)\b",
    re.I,
)
# "interest at ten percent (10%) per annum", "one percent (1%) per month", "1.5% monthly".
_INTEREST = re.compile(
    r"interest[^.;]{0,120}?(?<![\d.])(\d{1,2}(?:\.\d+)?)\s*(?:%|percent)\)?[^.;]{0,40}?"
    r"(per\s+annum|annual(?:ly)?|a\s+year|per\s+year|each\s+year|per\s+month|a\s+month"
    r"|each\s+month|monthly|for\s+each\s+month)",
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


def _quantities(sentence: str) -> list[tuple[int, str, int, int]]:
    """(value, unit, start, end) for every 'N days/months/years' in a sentence."""
    out = []
    for m in _QTY.finditer(sentence):
        num = m.group("paren") or m.group("digits")
        if num and not num.isdigit():  # OCR: "(l20)" for "(120)"
            num = num.translate(str.maketrans("lIO", "110"))
        value = int(num) if num and num.isdigit() else None
        if value is None and m.group("words"):
            value = words_to_int(m.group("words"))
        if value is None:
            continue
        unit = m.group("unit").lower().rstrip("s")
        out.append((value, unit, m.start(), m.end()))
    return out


def quantities(sentence: str) -> list[tuple[int, str, int]]:
    """(value, unit, position) for every 'N days/months/years' in a sentence."""
    return [(v, u, a) for v, u, a, _ in _quantities(sentence)]


def _months(sentence: str, after: int = 0) -> int | None:
    for value, unit, pos in quantities(sentence):
        if unit in ("month", "year") and pos >= after:
            return value * 12 if unit == "year" else value
    return None


@dataclass
class Term:
    """One extracted term value, the program it applies to and where it is stated."""

    term: str
    value_num: float | None
    value_text: str
    chunk: Chunk | None  # None for a term stated by absence (no MFN clause)
    quote: str
    program: str = ""  # ingest.programs.PROGRAMS name, "" when general


@dataclass(frozen=True)
class DayRule:
    """How one day-count term is found in a sentence."""

    term: str
    tags: tuple[str, ...]  # the chunk must carry one of these clause tags ("" = any)
    trigger: re.Pattern[str]
    anchor: re.Pattern[str] | None = None  # what follows the quantity it measures
    exclude: re.Pattern[str] | None = None
    longer_units: bool = False  # "one (1) year" counts as 365 days
    per_program: bool = True


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


_NOTICE = _rx(r"^[^.;]{0,40}?\b(?:notice|prior|advance|before|preceding|in\s+advance)\b")
DAY_RULES: tuple[DayRule, ...] = (
    DayRule(
        "non_renewal_notice_days", ("term_renewal",),
        _rx(r"not\s+to\s+renew|non-?renewal|notice\s+of\s+(?:its\s+)?intent|prevent\s+(?:the\s+)?"
            r"(?:automatic\s+)?renewal"),
        _NOTICE, per_program=False,
    ),
    DayRule(
        "termination_without_cause_days", ("termination_without_cause",),
        _rx(r"without\s+cause|for\s+convenience|(?:for|with)\s+any\s+reason|for\s+no\s+reason"
            r"|any\s+reason\s+or\s+no\s+reason"),
        _NOTICE,
        _rx(r"\bcure\b|\bfor\s+cause\b(?![^.;]{0,20}without)"),
    ),
    DayRule(
        "timely_filing_days", ("timely_filing",),
        _rx(r"date\s+of\s+(?:service|discharge)|dates?\s+of\s+service|timely\s+filing|filing\s+limit"
            r"|(?:submitted|filed|received|receive|submit|file)\b[^.;]{0,60}\b(?:within|no\s+later\s+than"
            r"|not\s+later\s+than)"),
        _rx(r"^[^.;]{0,60}?\b(?:date\s+(?:of\s+)?(?:the\s+)?(?:service|discharge|encounter)|dates?\s+of"
            r"\s+service|DOS\b|discharge|services?\s+(?:were|are|was|is|have\s+been)\s+(?:rendered"
            r"|provided|furnished|performed))"),
        _rx(r"\bcorrected\b|re-?submi|\breconsideration|\bappeal|\bsecondary\b|coordination\s+of"
            r"\s+benefits|\bprimary\s+(?:payer|payor|carrier|insurer)|\bEOB\b|explanation\s+of"
            r"\s+benefits|overpayment|\brefund|\brecoup"),
        longer_units=True,
    ),
    DayRule(
        "clean_claim_payment_days", ("prompt_pay",),
        _rx(r"clean\s+claim|complete\s+claim|(?:pay|adjudicat\w*|process\w*)\b[^.;]{0,60}\bclaims?\b[^.;]"
            r"{0,60}\bwithin\b[^.;]{0,50}\bdays?\s+(?:of|after|following|from)\s+(?:the\s+)?receiv|receipt"),
        _rx(r"^[^.;]{0,60}?\b(?:receipt|received|receiving|receives|submission|submitted|filed|filing)\b"),
        _rx(r"\bmeans\b|shall\s+mean|is\s+defined|non-?clean|not\s+(?:a\s+)?clean|unclean"
            r"|other\s+than\s+(?:a\s+)?clean|\bappeal"),
    ),
    DayRule(
        "appeal_window_days", ("appeals",),
        _rx(r"\bappeal|reconsider|redetermination|payment\s+dispute|request\w*\s+(?:a\s+|for\s+)?review"),
        None,
        _rx(r"\b(?:Member|Enrollee|Beneficiar\w*|Insured)s?\b[^.;]{0,30}\b(?:may|shall|must|has|have)\b"
            r"[^.;]{0,20}\b(?:appeal|grievance)|\bexpedited\b|\bgrievance|arbitrat|escalat|mediat"),
        longer_units=True,
    ),
    DayRule(
        "payer_amendment_notice_days", ("fee_schedule_updates",), _rx(r"\bnotice\b"), _NOTICE,
    ),
)
_FALLBACK_RATE = _rx(r"without\s+a\s+(?:rate|fee)|not\s+listed|unlisted|not\s+otherwise\s+(?:listed|priced)"
                     r"|\bno\s+(?:\w+\s+){0,2}(?:amount|rate|fee|price|allowable)s?\b")
_TWC_HEADING = _rx(r"without\s+cause|for\s+convenience")
_TERMINATE = _rx(r"\bterminat")
_PAYS = _rx(r"\b(?:pay|pays|paid|payment|adjudicat\w*|process\w*|reimburs\w*|remit\w*)\b")
_INITIAL = _rx(
    r"\binitial\s+term\b|\bterm\s+of\s+this\s+agreement\b|\b(?:commence|begin)\b[^.;]{0,80}\b"
    r"(?:continue|remain)\b[^.;]{0,40}\bfor\b|\bremain\s+in\s+(?:full\s+)?(?:force|effect)\s+for\b"
)
_RENEW_AT = _rx(r"successive|additional|renewal\s+term|renew\w*\s+for")
_AUTO_RENEW = _rx(r"automatically\s+(?:be\s+)?(?:renew|extend)|renews?\s+automatically|shall\s+renew"
                  r"|\brenews\s+for\b|\bthereafter\b[^.;]{0,40}\brenews?\b")
_NO_RENEW = _rx(r"\b(?:does|shall|will|may)\s+not\s+(?:be\s+)?(?:automatically\s+)?renew|\bnot\s+renew\w*\s+"
                r"automatically|\bno\s+automatic\s+renewal|\bwithout\s+automatic\s+renewal|\bnon-?renewable")
_ENDS_ON = _rx(r"\b(?:continues?|remains?\s+in\s+effect|expires?|ends?|terminates?|runs?)\s+(?:through|until"
               r"|on)\s+")


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT.split(text) if s and s.strip()]


def chunk_program(chunk: Chunk) -> str:
    """The program a chunk's headings name: section heading, then article, then attachment."""
    return program_of_heading(chunk.heading, chunk.parent, chunk.part)


def day_values(rule: DayRule, sentence: str, default_program: str) -> list[tuple[int, str, str]]:
    """(days, program, stated) for each quantity the rule measures in ``sentence``."""
    qs = [q for q in _quantities(sentence) if q[1] == "day" or (rule.longer_units and q[1] != "day")]
    if not qs:
        return []
    if rule.anchor is None:
        picked = qs[:1]
    else:
        picked = [q for q in qs if rule.anchor.search(sentence[q[3] : q[3] + 90])]
        if not picked and qs[0][1] == "day":
            picked = qs[:1]
    positions = [q[2] for q in qs]
    out = []
    for value, unit, start, _ in picked:
        days = value * {"day": 1, "month": 30, "year": 365}[unit]
        program = program_at(sentence, start, positions, default_program) if rule.per_program else ""
        stated = str(days) if unit == "day" else f"{days} ({value} {unit}{'s' if value != 1 else ''})"
        out.append((days, program, stated))
    return out


def _triggered(rule: DayRule, sentence: str, chunk: Chunk) -> bool:
    if rule.trigger.search(sentence):
        pass
    elif rule.term == "termination_without_cause_days" and _TWC_HEADING.search(chunk.heading):
        if not _TERMINATE.search(sentence):
            return False
    else:
        return False
    if rule.exclude is not None and rule.exclude.search(sentence):
        return rule.term == "timely_filing_days" and bool(re.search(r"timely\s+filing", sentence, re.I))
    if rule.term == "clean_claim_payment_days" and not _PAYS.search(sentence):
        return False
    return True


_DEFINITION = re.compile(r"[\"”]\s*(?:shall\s+)?means?\b|\bis\s+defined\s+as\b", re.I)


def extract_terms(
    chunks: list[Chunk],
    tags: list[list[str]],
    effective: dt.date | None,
    base_contract: bool = True,
) -> list[Term]:
    """Extract every ``TERM_KEYS`` value found in a document's tagged chunks.

    One value per term and program (``Term.program``): the first statement wins, so a
    Medicaid attachment's filing limit and a Medicare Advantage one are both kept.
    Sentences that look like prompt injection are never a source of terms. For a base
    contract (not an amendment) the absence of an MFN clause is recorded as ``false``.
    """
    found: dict[tuple[str, str], Term] = {}

    def put(term: Term) -> None:
        found.setdefault((term.term, term.program), term)

    per_code: list[Term] = []
    if effective is not None and chunks:
        put(_effective_term(chunks, effective))
    for chunk, chunk_tags in zip(chunks, tags, strict=True):
        sentences = [s for s in _sentences(chunk.text) if not looks_like_injection(s)]
        program = chunk_program(chunk)
        for rule in DAY_RULES:
            if rule.tags and not set(rule.tags) & set(chunk_tags):
                continue
            for sent in sentences:
                if not _triggered(rule, sent, chunk):
                    continue
                for days, prog, stated in day_values(rule, sent, program):
                    put(Term(rule.term, float(days), stated, chunk, sent[:500], prog))
        if "term_renewal" in chunk_tags:
            _term_renewal(chunk, sentences, put, effective)
        if ("mfn_present", "") not in found and "most_favored_nation" in chunk_tags:
            sent = next(
                (s for s in sentences if re.search(r"favou?red|favou?rable|lower|any other", s, re.I)),
                chunk.text[:300],
            )
            put(Term("mfn_present", 1.0, "true", chunk, sent[:500]))
        for sent in sentences:
            m = _INTEREST.search(sent)
            if m:
                put(_interest(m, sent, chunk, program))
        if "fee_schedule" in chunk_tags:
            for sent in sentences:
                per_code.extend(_fee_basis(sent, chunk, program, put))
    # The operative clause ("Payer shall pay ... the rate for each code set out in Exhibit 2")
    # before a definition ('"Fee Schedule" means the compensation set out in Exhibit 2').
    per_code.sort(key=lambda t: bool(_DEFINITION.search(t.quote or "")))
    for t in per_code:  # "rates in Exhibit A" only where no percentage basis was stated
        if ("fee_schedule_basis", t.program) not in found:
            put(t)
    if base_contract and chunks and ("mfn_present", "") not in found:
        put(Term("mfn_present", 0.0, "false", None, ""))
    return list(found.values())


def _effective_term(chunks: list[Chunk], effective: dt.date) -> Term:
    """The effective date, quoted from the sentence that states it."""

    stating = re.compile(r"effective|entered\s+into|\bmade\b|begins?|commenc", re.I)
    for wanted in (stating, None):
        for chunk in chunks:
            for sent in _sentences(chunk.text):
                if wanted is not None and not wanted.search(sent):
                    continue
                if _has_date(sent, effective) and not looks_like_injection(sent):
                    return Term("effective_date", None, effective.isoformat(), chunk, sent[:500])
    first = next((c for c in chunks if re.search(r"effective", c.text, re.I)), chunks[0])
    return Term("effective_date", None, effective.isoformat(), first, _quote(first.text, "effective"))


def _has_date(sent: str, day: dt.date) -> bool:
    """Whether ``sent`` writes ``day`` (in any of the spellings parse_date reads)."""
    from ingest.metadata import _DATE_ISO, _DATE_US, _DATE_WORDS, parse_date

    return any(parse_date(sent[m.start() :]) == day
               for rx in (_DATE_WORDS, _DATE_ISO, _DATE_US) for m in rx.finditer(sent))


def _term_renewal(chunk: Chunk, sentences: list[str], put: Callable[[Term], None],
                  effective: dt.date | None) -> None:
    """Initial term, renewal term and automatic renewal (whole agreement: no program)."""
    for sent in sentences:
        value = _months(sent) if _INITIAL.search(sent) else None
        if value is None:
            value = _months_between(sent, effective)
        if value is not None:
            put(Term("initial_term_months", float(value), str(value), chunk, sent[:500]))
        if _NO_RENEW.search(sent):
            put(Term("auto_renewal", 0.0, "false", chunk, sent[:500]))
            continue
        m = _RENEW_AT.search(sent) if re.search(r"\brenew", sent, re.I) else None
        if m:
            value = _months(sent, after=m.start())
            if value is not None:
                put(Term("renewal_term_months", float(value), str(value), chunk, sent[:500]))
        if _AUTO_RENEW.search(sent):
            put(Term("auto_renewal", 1.0, "true", chunk, sent[:500]))


def _months_between(sent: str, effective: dt.date | None) -> int | None:
    """'begins on January 1, 2024 and expires on December 31, 2026' → 36 (whole months only);
    the start may be the Effective Date."""
    from ingest.metadata import parse_date

    m = _ENDS_ON.search(sent)
    end = parse_date(sent[m.end() : m.end() + 40]) if m else None
    if m is None or end is None:
        return None
    start = parse_date(sent[: m.start()])
    if start is None and re.search(r"effective\s+date|date\s+first\s+written", sent[: m.start()], re.I):
        start = effective
    if start is None or end <= start:
        return None
    after = end + dt.timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month
    return months if after.day == start.day and months > 0 else None


def _interest(m: re.Match[str], sent: str, chunk: Chunk, program: str) -> Term:
    """Prompt-pay interest as an annual percentage (a monthly rate times twelve)."""
    pct = float(m.group(1))
    monthly = "month" in m.group(2).lower()
    annual = round(pct * 12, 4) if monthly else pct
    text = f"{annual:g}" + (f" ({pct:g}% per month)" if monthly else "")
    prog = program_at(sent, m.start(1), [m.start(1)], program)
    return Term("prompt_pay_interest_pct", annual, text, chunk, sent[:500], prog)


def _fee_basis(sent: str, chunk: Chunk, program: str, put: Callable[[Term], None]) -> list[Term]:
    """Put a percent-of basis; return a per-code basis ('rates in Exhibit A') to use later."""
    m = _PCT_MEDICARE.search(sent)
    if m and _FALLBACK_RATE.search(sent):
        return []  # "services without a rate ... 40% of billed charges" is not the basis
    if m:
        year = m.group(2) or m.group(4)
        basis = " ".join(m.group(3).split()).title().replace("Cms", "CMS").replace("Rbrvs", "RBRVS")
        text = f"{m.group(1)}% of {basis}" + (f" {year}" if year else "")
        prog = program_at(sent, m.start(), [m.start()], program)
        put(Term("fee_schedule_basis", float(m.group(1)), text, chunk, sent[:500], prog))
        return []
    m = _PER_CODE.search(sent)
    if m:
        text = f"Fee schedule per code ({m.group(1).title()} {m.group(2)})"
        prog = program_at(sent, m.start(), [m.start()], program)
        return [Term("fee_schedule_basis", None, text, chunk, sent[:500], prog)]
    return []


def _quote(text: str, word: str) -> str:
    for sent in _sentences(text):
        if word.lower() in sent.lower():
            return sent[:500]
    return text[:300]
