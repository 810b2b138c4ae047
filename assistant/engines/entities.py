"""Entity extraction for the offline planner.

Finds payers (names, aliases, typos), procedure codes and code groups, clause types,
contract terms, periods and percentages in a question, by matching against the
warehouse's own vocabulary and general revenue-cycle phrasing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from assistant.analytics.vocabulary import Vocabulary
from assistant.periods import Period, find_period

CODE_RE = re.compile(r"\b(\d{5}|[A-Z]\d{4})\b")

GROUP_WORDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(e/?m|e&m|evaluation and management|office visits?|visits?)\b", re.I), "E/M"),
    (re.compile(r"\b(imaging|radiology|x-?rays?|mri|ct scans?|ultrasound)\b", re.I), "imaging"),
    (re.compile(r"\b(surger(y|ies)|surgical|procedures?|arthroscop\w*)\b", re.I), "surgery"),
    (re.compile(r"\b(physical therapy|pt|therap(y|ies)|rehab\w*)\b", re.I), "therapy"),
    (re.compile(r"\b(labs?|laboratory)\b", re.I), "lab"),
]

CLAUSE_PATTERNS: dict[str, str] = {
    "timely_filing": r"tim\w*ly[- ]?fil\w*|filing (limit|deadline|window)|deadline to (file|submit)"
    r"|get (a |our )?claims? in|claims? in (on time|by)"
    r"|how long (after|from) .{0,30}(date of service|dos|visit|service|appointment|encounter|seen)"
    r"|(file|submit) (a |our )?claims? (within|by)|how long (do we have )?to (file|submit|bill)"
    r"|(window|deadline|time limit|cut-?off) (to|for) (submit|fil|send|bill)\w*"
    r"|(past|missed|outside|beyond) the (filing |submission |billing )?(window|deadline|limit)"
    r"|still (send|submit|file|bill)\b.{0,25}\bclaims?|unbilled|too late to (bill|file|submit)",
    "prompt_pay": r"prompt[- ]?pay\w*|clean[- ]claims?|how (fast|quickly|soon) .*pay|days to pay"
    r"|interest rate|\blate\b.{0,40}\binterest|\binterest\b.{0,40}\b(late|when they|kicks? in)"
    r"|pay(ment)? within|late[- ]payment interest|interest on late|pay\w* (us )?(on time|promptly)",
    "termination_without_cause": r"without cause|for convenience|terminat\w*|get out of|exit (the|our)"
    r"|cancel\w*|walk away from the contract|without (giving |stating )?(a |any )?reason|no[- ]fault"
    r"|just because",
    "termination_for_cause": r"for cause|breach|cure period",
    "term_renewal": r"renew\w*|expir\w*|term of (the|our)|how long (is|does) (the|our) contract"
    r"|auto[- ]?renew\w*|evergreen|end date|roll\w* over|initial (term|length)|each term",
    "most_favored_nation": r"most[- ]favou?red|\bmfn\b|favou?red[- ]nation|best[- ]price"
    r"|lowest (rate|price)",
    "hold_harmless": r"hold[- ]harmless|balance[- ]bill\w*|bill (the )?(members?|patients?|pts?)\b"
    r"|(go after|collect from|charge) (the )?(members?|patients?|pts?)\b|for the balance"
    r"|(rest|remainder) of the (bill|balance)"
    r"|(send|bill) (them|the patient|the member)\b.{0,20}\b(bill|rest|balance)",
    "fee_schedule": r"fee[- ]schedule|reimbursement (method\w*|basis)|how (are|do) (we|they) (get )?pa(id|y)"
    r"|payment methodology|compensation|we (get|are|'re) paid\b|(percent|%) of (the )?(state )?"
    r"(medicaid|medicare)('s)? (fee|rates?)",
    "fee_schedule_updates": r"(change|amend|modify|update|lower|cut)\w* (the |our |their )?"
    r"(rates|fee schedule|contract)"
    r"|unilateral\w*|escalator|rate (change|update)s?|amendment|on (their|its) own",
    "prior_authorization": r"prior[- ]?auth\w*|pre-?auth\w*|precert\w*|authori[sz]ation|pre-?approv\w*"
    r"|approv\w* (before|in advance|first)",
    "claims_submission": r"submit\w* claims?|claims? submission|claim forms?|cms-?1500|\b837\b"
    r"|electronic claims?|file electronically|clearinghouse|which form|where (do|should) (the )?claims",
    "appeals": r"appeal\w*|reconsideration|redetermination"
    r"|(fight|contest|challenge|overturn)\w* (a |the |this |that )?(denial|decision|claim)",
    "dispute_resolution": r"disputes?|arbitrat\w*|mediat\w*",
    "confidentiality": r"confidential\w*|disclos\w*|tell (other|another) (plans?|payers?)"
    r"|share\b.{0,30}\brates?\b|keep .{0,20}secret|\bnda\b|locked down",
    "assignment": r"\bassign\w*|transfer (the|our) (contract|agreement)|hand .{0,25}\boff\b"
    r"|(sell|transfer) (the|our) (contract|agreement)|(contract|agreement) (transfer|carr(y|ies) over)"
    r"|(get|are|were|is) (bought|acquired|sold)|acquisition|change of (control|ownership)",
    "governing_law": r"governing law|which state'?s? law|governed by|jurisdiction|\bvenue\b"
    r"|(whose|what|which) state'?s?\b.{0,12}\b(law|courts?)|litigat\w*|(sue|sued) (them|us|in)",
    "audit_rights": r"\baudit\w*|inspect (our )?records"
    r"|(go|look|dig) through (our |the )?(books|records|charts|files)"
    r"|(access|review|examine) (to )?(our |the )?(books|records|medical records|charts)",
}
CLAUSE_RES = {k: re.compile(v, re.I) for k, v in CLAUSE_PATTERNS.items()}

CLAUSE_TO_TERMS: dict[str, list[str]] = {
    "timely_filing": ["timely_filing_days"],
    "prompt_pay": ["clean_claim_payment_days", "prompt_pay_interest_pct"],
    "termination_without_cause": ["termination_without_cause_days"],
    "term_renewal": [
        "effective_date",
        "initial_term_months",
        "auto_renewal",
        "renewal_term_months",
        "non_renewal_notice_days",
    ],
    "most_favored_nation": ["mfn_present"],
    "fee_schedule": ["fee_schedule_basis"],
    "fee_schedule_updates": ["payer_amendment_notice_days"],
    "appeals": ["appeal_window_days"],
}

# Programs (lines of business) a question may name; the names match contract_terms.program.
PROGRAM_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("Medicare Advantage", re.compile(
        r"medicare[\s-]+advantage|\bMA\b(?=\s+(?:members?|plans?|claims?|products?|contract|patients?"
        r"|line|business|program|timely|filing|appeals?|terms?|deadlines?|limits?|side))"
        r"|\bMAPD\b|\bD-?SNP\b|(?<![%\d] of )(?<!percent of )\bmedicare\b"
        r"(?!\s+(?:fee|rates?|schedule|allowable|physician|rbrvs|benchmark|pfs|locality)\b)", re.I)),
    ("CHIP", re.compile(r"\bCHIP\b|children'?s health insurance", re.I)),
    ("Medicaid", re.compile(r"\bmedicaid\b(?!\s+(?:fee|rates?|schedule)\b)|medi-cal", re.I)),
    ("Exchange", re.compile(r"\b(?:exchange|marketplace|QHP|ACA)\b(?!\s+rates?\b)", re.I)),
    ("Commercial", re.compile(r"\bcommercial\b", re.I)),
]


def find_programs(question: str) -> list[str]:
    """Programs the question names ("Medicaid timely filing for X" → ["Medicaid"])."""
    return [name for name, rx in PROGRAM_PATTERNS if rx.search(question)]


PERCENT_RE = re.compile(r"([+-]?\d+(?:\.\d+)?)\s?%")
MONEY_RE = re.compile(r"\$\s?(\d[\d,]*(?:\.\d+)?)")


@dataclass
class Entities:
    """What the planner found in one question."""

    payers: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    code_groups: list[str] = field(default_factory=list)
    clause_types: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    period: Period | None = None
    percents: list[float] = field(default_factory=list)
    unknown_codes: list[str] = field(default_factory=list)
    described_codes: list[str] = field(default_factory=list)  # codes named by their service
    programs: list[str] = field(default_factory=list)  # Medicaid, Medicare Advantage, ...


SERVICE_STOP = set(
    "patient patients visit visits office new established with without of the a an or and to "
    "for our their on in at by contrast complexity straightforward low moderate high level "
    "joint service services code codes".split()
)


def _stem(word: str) -> str:
    w = word.lower()
    return w[:-1] if len(w) > 3 and w.endswith("s") else w


def codes_by_description(question: str, descriptions: dict[str, str]) -> list[str]:
    """Codes whose service description names what the question names ("MRIs", "x-ray")."""
    if not descriptions:
        return []
    index: dict[str, set[str]] = {}
    for code, desc in descriptions.items():
        for w in re.findall(r"[a-z][a-z-]+", desc.lower()):
            if w not in SERVICE_STOP:
                index.setdefault(_stem(w), set()).add(code)
    limit = max(3, len(descriptions) // 4)  # a word on most descriptions names nothing
    sets = [
        index[_stem(w)]
        for w in re.findall(r"[A-Za-z][A-Za-z-]+", question)
        if _stem(w) in index and len(index[_stem(w)]) <= limit and w.lower() not in SERVICE_STOP
    ]
    if not sets:
        return []
    common = set.intersection(*sets)
    return sorted(common or set.union(*sets))


def _ngrams(words: list[str], n_max: int = 4) -> list[str]:
    out = []
    for n in range(1, n_max + 1):
        for i in range(len(words) - n + 1):
            out.append(" ".join(words[i : i + n]))
    return out


def find_payers(question: str, vocab: Vocabulary) -> list[str]:
    """Payer ids named in the question: exact names/aliases first, then close typos."""
    text = question.lower()
    words = re.findall(r"[a-z0-9&'/-]+", text)
    found: list[tuple[int, str]] = []
    for p in vocab.payers:
        best_pos = -1
        for name in p.names():
            n = name.lower().strip()
            if not n:
                continue
            m = re.search(r"(?<![a-z0-9])" + re.escape(n) + r"(?![a-z0-9])", text)
            if m:
                best_pos = m.start()
                break
        if best_pos < 0:
            # typo tolerance only for names long enough to be distinctive
            grams = _ngrams(words)
            for name in p.names():
                n = name.lower()
                if len(n) < 6:
                    continue
                for g in grams:
                    if abs(len(g) - len(n)) <= 3 and fuzz.ratio(g, n) >= 85:
                        best_pos = text.find(g)
                        break
                if best_pos >= 0:
                    break
            # first distinctive word of the name ("Keystone", "Northwind")
            if best_pos < 0:
                first = p.name.split()[0].lower()
                if len(first) >= 6:
                    for w in words:
                        if fuzz.ratio(w, first) >= 85:
                            best_pos = text.find(w)
                            break
        if best_pos >= 0:
            found.append((best_pos, p.payer_id))
    found.sort()
    return list(dict.fromkeys(pid for _, pid in found))


def add_clause_type(ent: Entities, clause_type: str) -> None:
    """Add a clause type (once) and the contract terms it answers with."""
    if clause_type not in ent.clause_types:
        ent.clause_types.append(clause_type)
    for t in CLAUSE_TO_TERMS.get(clause_type, []):
        if t not in ent.terms:
            ent.terms.append(t)


def mask_payers(question: str, vocab: Vocabulary, payer_ids: list[str], with_text: str = "") -> str:
    """``question`` with every name of the given payers replaced by ``with_text`` (blanks of
    the same length when empty, so character positions stay put)."""
    for p in vocab.payers:
        if p.payer_id in payer_ids:
            for name in sorted(p.names(), key=len, reverse=True):
                question = re.sub(
                    r"(?<![A-Za-z0-9])" + re.escape(name) + r"(?:'s)?(?![A-Za-z0-9])",
                    lambda m: with_text or " " * len(m.group(0)),
                    question,
                    flags=re.I,
                )
    return question


def extract(question: str, vocab: Vocabulary, as_of: dt.date) -> Entities:
    """Extract every entity the planner uses from one question."""
    ent = Entities()
    ent.payers = find_payers(question, vocab)
    # payer names must not read as clause words ("Evergreen" is also an evergreen clause)
    question = mask_payers(question, vocab, ent.payers)
    period_and_span = find_period(question, as_of)
    masked = question
    if period_and_span is not None:
        ent.period, span = period_and_span
        masked = question[: span[0]] + " " * (span[1] - span[0]) + question[span[1] :]
    for code in CODE_RE.findall(masked):
        if re.fullmatch(r"(19|20)\d{3}", code) and not vocab.is_code(code):
            continue
        if vocab.is_code(code):
            ent.codes.append(code)
        else:
            ent.unknown_codes.append(code)
    if not ent.codes:
        ent.described_codes = codes_by_description(masked, vocab.descriptions)
    for rx, group in GROUP_WORDS:
        if rx.search(question) and group not in ent.code_groups:
            ent.code_groups.append(group)
    flat = " ".join(question.split())  # a masked payer name leaves a run of spaces
    for key, rx in CLAUSE_RES.items():
        if rx.search(flat):
            ent.clause_types.append(key)
    if "termination_for_cause" in ent.clause_types and "termination_without_cause" in ent.clause_types:
        if not re.search(r"without cause|convenience", question, re.I):
            ent.clause_types.remove("termination_without_cause")
    for ct in list(ent.clause_types):
        add_clause_type(ent, ct)
    ent.percents = [float(p) for p in PERCENT_RE.findall(question)]
    ent.programs = find_programs(flat)
    return ent
