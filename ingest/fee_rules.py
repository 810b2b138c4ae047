"""Rates defined by reference in a contract, and the whole fee extraction of a document.

Kinds: ``medicare_pct`` ("112% of the 2025 Medicare Physician Fee Schedule", year,
locality and facility/non-facility setting when stated), ``billed_pct`` ("60% of billed
charges"), and ``unsupported`` (a percentage of something Parley cannot compute — a
State Medicaid fee schedule, OPPS/ASC/DRG rates, the payer's own schedule — kept with
its text so a person sees it in ``parley rates review``). Each rule carries its page,
section (the exhibit), program and the sentence as quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.chunking import match_heading
from ingest.fee_context import Locator, program_of
from ingest.fee_tables import FeeRow, extract_fee_rows
from ingest.parsers import ParsedDoc

_PCT = re.compile(r"(?<![\d.,])(\d{1,3}(?:\.\d{1,2})?)\)?\s*(?:%|percent\b)", re.I)
MAX_SENTENCE = 700  # longer "sentences" are tables or run-on text, not a rate rule
_MEDICARE = re.compile(
    r"(?:(?P<y1>20\d\d)\s+)?(?:CMS\s+|Medicare\s+Part\s+B\s+)?(?:Medicare|CMS)\b[^.;%]{0,60}?"
    r"(?:physician\s+fee\s+schedule|fee\s+schedule|\bMPFS\b|\bRBRVS\b|allowable|"
    r"rates?\b|participating\s+(?:provider\s+)?fee)|\bMPFS\b|\bRBRVS\b", re.I)
_BILLED = re.compile(r"(?:billed|usual\s+and\s+customary|gross|full|submitted|provider'?s?)\s+"
                     r"(?:billed\s+)?charges?", re.I)
_OTHER = re.compile(
    r"(?P<what>(?:state\s+)?medicaid\s+(?:fee\s+schedule|rates?|allowable)|OPPS|\bAPC\b|"
    r"\bASC\b|ambulatory\s+surgical|\bDRG\b|\bMS-DRG\b|payer'?s?\s+(?:standard\s+)?fee\s+schedule|"
    r"plan'?s?\s+(?:standard\s+)?fee\s+schedule|average\s+wholesale\s+price|\bAWP\b|"
    r"\bASP\b|fee\s+schedule)", re.I)
_PAY_WORDS = re.compile(r"reimburs|compensat|\bpa(?:y|id|yment)|\brates?\b|allowable|fee", re.I)
_NOT_RATE = re.compile(r"interest|penalt|coinsurance|co-?payment|copay|deductible|cost[- ]shar|"
                       r"late\s+fee|withhold|audit|overpayment|recoup", re.I)
_YEAR = re.compile(r"\b(?:calendar\s+year|CY|year)\s+(20\d\d)\b|\b(20\d\d)\s+(?:Medicare|MPFS|"
                   r"RBRVS|CMS)|(?:in\s+effect\s+(?:for|in|on\s+January\s+1,)\s+)(20\d\d)\b", re.I)
_LOCALITY = re.compile(r"\blocality\s+(?:no\.?\s*|number\s*)?(?P<num>\d{1,2})\b"
                       r"(?:\s*\((?P<paren>[^)]{2,60})\))?|"
                       r"\bfor\s+(?:the\s+)?(?P<name>[A-Z][A-Za-z .'-]{2,40}?)\s+locality\b", re.I)
_BOUNDARY = re.compile(r"[.;](?=\s)|\n\s*\n")


@dataclass
class FeeRule:
    """A rate stated by reference."""

    kind: str  # medicare_pct | billed_pct | unsupported
    pct: float | None
    year: int | None = None
    locality: str = ""
    setting: str = ""  # facility | nonfacility | ""
    program: str = ""
    page: int = 1
    section: str = ""
    quote: str = ""
    note: str = ""


@dataclass
class FeeExtract:
    """What a document says about its rates."""

    rows: list[FeeRow] = field(default_factory=list)
    rules: list[FeeRule] = field(default_factory=list)


def _sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of sentence-like spans: ends at . ; or a blank line; long lines cut."""
    cuts = [0]
    pos = 0
    for line in text.splitlines(keepends=True):
        if match_heading(line) is not None:  # a sentence never runs on from a heading
            cuts.append(pos)
            if len(line.strip()) <= 80 and not re.search(r"[.;:]\s+\S", line):
                cuts.append(pos + len(line))
        pos += len(line)
    cuts += [m.end() for m in _BOUNDARY.finditer(text)] + [len(text)]
    cuts = sorted(set(cuts))
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b - a > 3:
            out.append((a, b))
    return out


def _setting(s: str) -> str:
    if re.search(r"non-?\s?facility|office\s+setting", s, re.I):
        return "nonfacility"
    if re.search(r"\bfacility\s+(?:rate|setting|amount|fee)", s, re.I):
        return "facility"
    return ""


def rule_of(sentence: str, current_program: str = "") -> FeeRule | None:
    """The rate rule one sentence states, or None."""
    if not _PCT.search(sentence) or _NOT_RATE.search(sentence):
        return None
    program = program_of(re.sub(r"medicaid\s+fee\s+schedule|medicaid\s+rates?", "", sentence,
                                flags=re.I)) or current_program
    for pm in _PCT.finditer(sentence):
        pct = float(pm.group(1))
        after = sentence[pm.end():pm.end() + 140]
        if not re.match(r"\s*\)?\s*of\b", after, re.I) or pct <= 0 or pct > 1000:
            continue
        target = after[:120]
        if not (_PAY_WORDS.search(sentence) or _MEDICARE.search(target)):
            continue
        med = _MEDICARE.search(target)
        other = _OTHER.search(target)
        billed = _BILLED.search(target)
        if med and not (other and other.start() < med.start() and "medicaid" in other.group(0).lower()):
            ym = _YEAR.search(sentence)
            year = int(next(g for g in ym.groups() if g)) if ym else None
            if med.group("y1"):
                year = int(med.group("y1"))
            lm = _LOCALITY.search(sentence)
            locality = "national" if re.search(r"\bnational\b", sentence, re.I) else ""
            if lm:
                locality = (lm.group("num") or lm.group("name") or "").strip()
                if lm.group("paren"):
                    locality = f"{locality} ({lm.group('paren').strip()})"
            lesser = re.search(r"lesser\s+of[^.]{0,80}billed|billed\s+charges?,?\s+if\s+less",
                               sentence, re.I)
            return FeeRule("medicare_pct", pct, year, locality, _setting(sentence), program,
                           note="lesser of billed charges (not applied)" if lesser else "")
        if billed and (not other or billed.start() < other.start()):
            return FeeRule("billed_pct", pct, program=program)
        if other:
            return FeeRule("unsupported", pct, program=program,
                           note=f"{pct:g}% of {other.group('what')}: not computable from "
                                "files Parley loads")
    return None


def extract_fee_rules(doc: ParsedDoc, loc: Locator | None = None) -> list[FeeRule]:
    """Every rate-by-reference sentence of the document, with page, section and program."""
    loc = loc or Locator(doc)
    text = doc.text
    out: list[FeeRule] = []
    seen: set[tuple] = set()
    for a, b in _sentences(text):
        sentence = text[a:b]
        if len(sentence) > MAX_SENTENCE or "%" not in sentence and "percent" not in sentence.lower():
            continue
        rule = rule_of(" ".join(sentence.split()), loc.heading_program(a))
        if rule is None:
            continue
        rule.page = loc.page(a)
        rule.section = loc.section(a)
        rule.program = rule.program or program_of(rule.section)
        rule.quote = sentence.strip()
        key = (rule.kind, rule.pct, rule.year, rule.locality, rule.setting, rule.program)
        if key in seen:  # a summary repeating the exhibit's rule
            continue
        seen.add(key)
        out.append(rule)
    return out


def extract_fees(doc: ParsedDoc) -> FeeExtract:
    """Rate rows and rules of one parsed document."""
    loc = Locator(doc)
    return FeeExtract(rows=extract_fee_rows(doc, loc), rules=extract_fee_rules(doc, loc))
