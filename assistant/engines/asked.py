"""What a question asks for: the kind of value (days, a date, money ...) and its object.

The router reads a question's topic; this module reads what is being asked. "How much
notice if we drop X" asks for a number of days of termination notice, whatever the topic
classifier says; "when do we have to tell X we're not renewing" asks for a date, which only
the deadlines analysis has. The planner routes on both, and an answer that does not contain
the asked kind of value is not an answer (``has_kind``): another plan is tried, or the
answer says what is missing (``missing_note``).

Pure functions over text, no model: the same question always reads the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

KINDS = ("days", "date", "money", "percent", "yes_no", "list", "comparison", "count")
# Kinds whose absence makes an answer no answer (a list or a yes/no is hard to tell apart
# from the words around it: those never send Parley to another plan or add a note).
STRICT_KINDS = {"days", "date", "money", "percent"}


@dataclass(frozen=True)
class Target:
    """An object a question can ask about and where its value comes from."""

    intent: str  # the router intent that holds the value
    kind: str  # the kind of value it is
    clause_type: str | None = None
    term: str | None = None  # the contract_terms key that states it
    label: str = ""  # how the answer names it when it is missing


TARGETS: dict[str, Target] = {
    "termination_notice": Target("clause", "days", "termination_without_cause",
                                 "termination_without_cause_days", "termination-without-cause notice"),
    "renewal_notice": Target("clause", "days", "term_renewal", "non_renewal_notice_days",
                             "notice of non-renewal"),
    "renewal_notice_date": Target("deadlines", "date", label="date the non-renewal notice is due"),
    "expiration": Target("deadlines", "date", label="date the contract term ends"),
    "filing_limit": Target("clause", "days", "timely_filing", "timely_filing_days",
                           "timely filing limit"),
    "appeal_window": Target("clause", "days", "appeals", "appeal_window_days", "appeal window"),
    "payment_terms": Target("clause", "days", "prompt_pay", "clean_claim_payment_days",
                            "clean-claim payment period"),
    "interest_rate": Target("clause", "percent", "prompt_pay", "prompt_pay_interest_pct",
                            "prompt-pay interest rate"),
    "amendment_notice": Target("clause", "days", "fee_schedule_updates",
                               "payer_amendment_notice_days", "notice before the payer changes rates"),
    "renewal_term": Target("clause", "days", "term_renewal", "renewal_term_months", "renewal term"),
    "initial_term": Target("clause", "days", "term_renewal", "initial_term_months", "initial term"),
    "mfn": Target("clause", "yes_no", "most_favored_nation", "mfn_present", "most-favored-nation clause"),
    "payments_received": Target("payer_mix", "money", label="payments received"),
    "revenue_at_risk": Target("walkaway", "money", label="revenue at risk"),
}

_I = re.I
# notice asked about (not "give me a heads up on what happens if ...")
NOTICE = r"((how much|how many( days)?|how far|how long|what|which)\b.{0,25}\b(notice|warning|heads[- ]?up)" \
         r"|\bnotice (period|required|needed|requirement)" \
         r"|\b(notice|warning|heads[- ]?up) (do|would|must|should|will) we\b|how far (ahead|in advance)" \
         r"|lead time|how much time|how long before|how many days" \
         r"|^\W*(notice|warning)\b|\bnotice\W*$)"
LEAVE = r"(leav\w*|drop\w*|terminat\w*|\bout of\b|get out|\bexit\w*|bail\w*|walk\w* away|\bquit\w*" \
        r"|cancel\w*|pull out|part ways|end (the|our|this) (contract|agreement))"
NONRENEW = re.compile(r"(\bnot|n'?t|\bnever|\bno longer)\s+([a-z]+\s+){0,3}?renew\w*"
                      r"|non[- ]?renew\w*|wont renew|renewal (letter|notice)|let .{0,20}\b(lapse|expire)"
                      r"|not renewing|opt(ing)? out of (the )?renewal", _I)
WHEN = re.compile(r"^\s*(and\s+)?when\b|\bwhen('?s| is| do| does| must| should| are| will)\b"
                  r"|\bby when\b|\bwhat date\b|\bwhich (day|date)\b|\bdue\b|\blast day\b|\bdate\b"
                  r"|\bdeadlines?\b", _I)
RULES: list[tuple[str, re.Pattern[str]]] = [
    ("renewal_notice_date", re.compile(
        r"(?=.*(" + NONRENEW.pattern + r"))(?=.*(" + WHEN.pattern + r"))"
        r"|\bnotice (deadline|date)\b|\bnotice (is )?due\b|\bdeadline (to|for) (give|send)\w* notice\b", _I)),
    ("renewal_notice", re.compile(r"(?=.*(" + NONRENEW.pattern + r"))(?=.*" + NOTICE + r")", _I)),
    ("amendment_notice", re.compile(
        r"(?=.*\b(chang|amend|modif|updat|cut|lower|reduc)\w*\b.{0,25}\b(rates?|fee schedule|fees|pay\w*)\b)"
        r"(?=.*" + NOTICE + r")", _I)),
    ("termination_notice", re.compile(r"(?=.*" + LEAVE + r")(?=.*" + NOTICE + r")"
                                      r"|\bterm(ination)? w/?o cause\b|\bwithout cause\b", _I)),
    ("renewal_term", re.compile(r"\brenewal (term|period)s?\b|\brenews? for (how long|how many)"
                                r"|\bfor how (many|long)\b.{0,30}\brenew", _I)),
    ("initial_term", re.compile(r"\binitial term\b|\bhow long (is|does) (the|our|their|this) "
                                r"(contract|agreement)\b(?! (say|give|allow))", _I)),
    ("expiration", re.compile(
        r"(when|what date)\b.{0,50}\b(expire|run out|runs out|end|ends|up for renewal|renew|renews)\b"
        r"|\b(expiration|expiry|end|renewal) date\b", _I)),
    ("payment_terms", re.compile(
        r"\b(how long|how many days|how fast|how quickly|how soon|days)\b.{0,40}\b(has|have|get|gets"
        r"|supposed|required|must|obligated|need)\b (to )?pay\b|\b(til|till|until|before)\b.{0,30}\b(has"
        r"|have) to pay\b|clean[- ]claim (payment )?(days|period|deadline)|\bpay a clean claim\b", _I)),
    ("appeal_window", re.compile(r"(?=.*\b(appeal\w*|reconsider\w*|contest\w*|overturn\w*)\b)"
                                 r"(?=.*\b(how long|how many days|days|window|deadline|cut-?off|limit|time"
                                 r"|longest|shortest)\b)", _I)),
    ("filing_limit", re.compile(
        r"(?=.*\b(fil(e|ing)|submit\w*|send\w*|get\w*|turn\w*|bill\w*)\b.{0,25}\bclaims?\b|.*\bclaims?\b.{0,20}"
        r"\b(in|filed|submitted)\b|.*timely[- ]?fil\w*|.*\bfiling\b)"
        r"(?=.*\b(how long|how many days|days|cut-?off|deadline|limit|window|within|by when|after"
        r"|timely)\b)", _I)),
    ("interest_rate", re.compile(r"(?=.*\binterest\b)(?=.*\b(rate|percent|%|pct)\b)"
                                 r"(?!.*\b(owe|owed|owes|due|how much interest)\b)", _I)),
    ("mfn", re.compile(r"most[- ]favou?red|\bmfn\b|favou?red[- ]nation", _I)),
    ("revenue_at_risk", re.compile(
        r"what (would|do|will|'d|does|did) (we|it) (lose|cost)|how much .{0,25}\b(lose|at stake|at risk)\b"
        r"|revenue (is )?(at risk|at stake)|what'?s at stake|\bat stake\b|cost us to (leave|drop|walk)", _I)),
    ("payments_received", re.compile(
        r"(how much|total|what)\b.{0,40}\b(did|has|have|do|does)\b.{0,30}\b(pay|paid) (us|the practice)\b"
        r"|\b(collections?|collected|deposits?|deposited|received from|came in from)\b"
        r"|(how much|what) (did|have|has) we (get|got|receive|received|collect\w*)\b.{0,20}\bfrom\b"
        r"|\bpaid us\b|\bpayments? (from|by) .{0,30}\b(in|during|for|last)\b"
        r"|\bpayments? (for|in|during) (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|last|this|q[1-4]"
        r"|\d{4})", _I)),
]
# Words that make a payment question about paying wrong, late or below contract (not receipts).
NOT_RECEIPTS = re.compile(r"under|short|less than|below|contract rate|right amount|correct|late|slow"
                          r"|\bshare\b|\bportion\b|\bpercent|%|\bmix\b"
                          r"|interest|on time|denied|deny|owe"
                          r"|\bfor (a |an |each |per )?(\d{5}|code|cpt|visit|unit)", _I)

KIND_RES: list[tuple[str, re.Pattern[str]]] = [
    ("date", WHEN),
    ("days", re.compile(r"\bhow (many|much) (days|notice|time|warning)|\bhow long\b|\bhow far (ahead|in "
                        r"advance)\b|\bdays\b|\bheads[- ]?up\b|\bwindow\b|\bcut-?off\b", _I)),
    ("comparison", re.compile(r"\bvs\.?\b|\bversus\b|\bcompar\w*|\bwho pays (best|most|more|less)"
                              r"|\bwhich\b.{0,30}\b(most|best|highest|lowest|longest|shortest"
                              r"|biggest)\b", _I)),
    ("money", re.compile(r"\bhow much\b(?! (notice|time|warning|heads))|\$|\bdollars?\b|\brevenue\b"
                         r"|\badd\w*\b.{0,20}\b(annual\w*|a year|per year|yearly)\b|\bworth\b", _I)),
    # a percentage asked for, not one stated ("ask for 8% more", "fee schedule or % of medicare")
    ("percent", re.compile(r"\b(what|which|how much|how many) (percent(age)?|%|pct|share|rate)\b"
                           r"|\bshare of\b|\bpercent(age)? of\b(?!.{0,30}\bor\b)|\binterest rate\b"
                           r"|\b(denial|approval|rejection|collection) rates?\b", _I)),
    ("money", re.compile(r"\ballow(able|ed amount)s?\b|(?<!denial )(?<!interest )\brates? (for|on)\b"
                         r"|\bcollections?\b|\bowed\b|\bpay (for|us)\b|\bcost\b", _I)),
    ("count", re.compile(r"\bhow many\b(?! days)", _I)),
    ("list", re.compile(r"^\s*(list|show|what are|which|top|any)\b", _I)),
    ("yes_no", re.compile(r"^\s*(is|are|does|do|can|could|did|has|have|will|would|should|may|must)\b", _I)),
]
# The question's opening words decide its kind before any word inside it does ("how many
# claims were paid past the due date" asks for a count, not a date).
LEAD_RES: list[tuple[str, re.Pattern[str]]] = [
    ("date", re.compile(r"^\W*(and\s+)?(when|by when|what date|which date)\b", _I)),
    ("days", re.compile(r"^\W*how (many days|long|much (notice|time|warning|heads))\b"
                        r"|^\W*how far (ahead|in advance)\b", _I)),
    ("count", re.compile(r"^\W*how many\b", _I)),
    ("money", re.compile(r"^\W*how much\b", _I)),
]
# "when the contract renews, ..." / "if we drop X, ...": a condition, not an asked piece
CONDITION_RE = re.compile(r"^\W*(when|if|once|after|before|in case|assuming)\b(?!.*\?)"
                          r"(?!\s+(is|are|was|were|do|does|did|will|would|can|could|must|should|shall"
                          r"|has|have)\b)(?!'s\b)", _I)
SPLIT_RE = re.compile(r",\s*(?:and\s+)?|;\s*|\s+and\s+(?=(?:what|when|how|which|who|is|are|does|do|can"
                      r"|will|would|the)\b)|\?\s+", _I)


@dataclass(frozen=True)
class Part:
    """One asked piece of a question."""

    kind: str | None  # one of KINDS, None when nothing specific is asked
    target: str | None = None  # a TARGETS key when the object is known
    text: str = ""


@dataclass(frozen=True)
class Asked:
    """The asked parts of a question, in the order they are asked."""

    parts: tuple[Part, ...] = field(default_factory=tuple)

    @property
    def kind(self) -> str | None:
        """The first asked kind (what the answer must lead with)."""
        return self.parts[0].kind if self.parts else None

    @property
    def targets(self) -> list[str]:
        """Known objects asked about, first asked first, each once."""
        return list(dict.fromkeys(p.target for p in self.parts if p.target))


def read_part(text: str) -> Part:
    """The asked kind and object of one piece of a question."""
    target = next((name for name, rx in RULES if rx.search(text)), None)
    if target == "payments_received" and NOT_RECEIPTS.search(text):
        target = None
    lead = next((k for k, rx in LEAD_RES if rx.search(text)), None)
    kind = lead or next((k for k, rx in KIND_RES if rx.search(text)), None)
    if lead is None and kind in ("money", "percent") and re.search(r"\w\s+or\s+[%$\w]", text):
        kind = None  # "fee schedule or % of medicare?": a choice between readings, not a figure
    if target and lead in ("count", "money") and TARGETS[target].kind != lead:
        target = None  # "how many claims were paid after the clean-claim deadline": named, not asked
    if target:
        t = TARGETS[target]
        # the object fixes the kind, except a date asked about a days term ("when ... filing")
        kind = t.kind if not (kind == "comparison" and t.kind == "days") else "comparison"
    return Part(kind, target, text.strip())


def read_asked(question: str) -> Asked:
    """Read every asked piece of a question ("how much notice, and what would we lose?")."""
    pieces = [p for p in SPLIT_RE.split(question) if p and len(p.split()) >= 2]
    if len(pieces) > 1 and CONDITION_RE.match(pieces[0]):
        pieces = pieces[1:]  # "when the contract renews, for how many months ...": a condition
    parts = [read_part(p) for p in pieces] or [read_part(question)]
    whole = read_part(question)
    if not any(p.target for p in parts) and whole.target:
        parts = [whole]  # the object spans the pieces ("when, if we are not renewing, ...")
    if len(parts) > 1:
        parts = [p for p in parts if p.target or p.kind] or parts[:1]
    if any(p.target == "revenue_at_risk" for p in parts):
        # "how much notice, and what would we lose?": the notice is the notice to leave
        parts = [Part(p.kind, "termination_notice", p.text)
                 if not p.target and re.search(NOTICE, p.text, _I) else p for p in parts]
    return Asked(tuple(parts))


# How each kind shows in an answer's text.
KIND_IN_TEXT: dict[str, re.Pattern[str]] = {
    "days": re.compile(r"\b\d[\d,]*\s+(calendar |business )?(days?|months?|years?)\b|\(\d+\) days", _I),
    "date": re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}\b"),
    "money": re.compile(r"-?\$\s?\d"),
    "percent": re.compile(r"\d\s?%|\bpercent\b", _I),
    "yes_no": re.compile(r"\b(yes|no|not|none|does|has|have)\b", _I),
    "count": re.compile(r"\b\d[\d,]*\b"),
    "comparison": re.compile(r"\d"),
    "list": re.compile(r"\S"),
}


def has_kind(text: str, kind: str | None) -> bool:
    """Whether ``text`` states a value of the asked kind (True when nothing specific is asked)."""
    if not kind or kind not in KIND_IN_TEXT:
        return True
    return bool(KIND_IN_TEXT[kind].search(text))


KIND_WORDS = {"days": "a number of days", "date": "a date", "money": "a dollar amount",
              "percent": "a percentage", "yes_no": "a yes or no", "count": "a count",
              "comparison": "a comparison", "list": "a list"}


def missing_values(asked: Asked, text: str) -> list[str]:
    """What the answer should state and does not ("a number of days for the appeal window")."""
    missing = []
    for p in asked.parts:
        if p.kind in STRICT_KINDS and not has_kind(text, p.kind):
            what = TARGETS[p.target].label if p.target else None
            missing.append(f"{KIND_WORDS[p.kind]}" + (f" for the {what}" if what else ""))
    return list(dict.fromkeys(missing))


def missing_note(asked: Asked, text: str) -> str | None:
    """A sentence saying which asked value the answer lacks, or None when it has them all."""
    missing = missing_values(asked, text)
    if not missing:
        return None
    return "I couldn't find " + " or ".join(missing) + \
        " in our contracts and data for this question; the closest figures are shown above."


def lead_with_asked(parts: list[str], asked: Asked, is_error: list[bool] | None = None) -> list[str]:
    """Answer parts reordered so the asked value comes first (each asked piece in turn);
    failed parts are dropped when another part has the asked value."""
    errors = is_error or [False] * len(parts)
    if asked.kind and any(has_kind(p, asked.kind) and not e for p, e in zip(parts, errors, strict=True)):
        parts = [p for p, e in zip(parts, errors, strict=True) if not e]
    ordered: list[str] = []
    for piece in asked.parts:
        for p in parts:
            if p not in ordered and piece.kind and has_kind(p, piece.kind) and p.strip():
                ordered.append(p)
                break
    return ordered + [p for p in parts if p not in ordered]


# ---- routing on the asked quantity -------------------------------------------------------

# The kinds of value each analysis can state (what a plan can answer).
INTENT_KINDS: dict[str, set[str]] = {
    "clause": {"days", "percent", "yes_no", "list", "comparison", "date", "count"},
    "notes": {"date", "percent", "money", "count", "yes_no", "list"},
    "rates": {"money", "percent", "comparison", "list"},
    "underpayments": {"money", "count", "yes_no", "list", "percent"},
    "denials": {"percent", "count", "list", "yes_no", "comparison"},
    "timeliness": {"days", "money", "percent", "count", "yes_no", "comparison"},
    "payer_mix": {"money", "percent", "count", "list", "comparison"},
    "walkaway": {"money"},
    "counteroffer": {"money", "percent"},
    "deadlines": {"date", "days", "list"},
    "brief": set(KINDS),
}
# Two plans this close (probability + cue weight) are two readings of one question.
CLOSE_MARGIN = 0.1
READING_MIN = 0.25


def steer(intents: list[str], scores: dict[str, float], cues: list[str], asked: Asked) -> list[str]:
    """The intents to run, in the order the question asks: a known object decides its
    analysis ("how much notice if we drop X" is the termination-notice term whatever the
    topic); a part without one takes the first ranked intent able to state its kind. One
    asked part: a second reading is added when the two best plans are close."""
    if len(asked.parts) > 1 or asked.targets:
        out: list[str] = []
        for part in asked.parts:
            if part.target:
                intent: str | None = TARGETS[part.target].intent
            else:
                able = [i for i in intents if not part.kind or part.kind in INTENT_KINDS.get(i, set())]
                intent = next((i for i in able if i not in out), None)
            if intent and intent not in out:
                out.append(intent)
        return out or list(intents)
    out = list(intents)
    kind = asked.kind
    if kind and out and kind not in INTENT_KINDS.get(out[0], set()):
        able = [i for i in out if kind in INTENT_KINDS.get(i, set())]
        if able:
            out = able[:1] + [i for i in out if i != able[0]]
    if len(out) == 1 and not cues:
        ranked = sorted(scores, key=lambda i: -scores[i])
        if len(ranked) > 1 and ranked[0] == out[0]:
            second = ranked[1]
            if scores[second] >= READING_MIN and scores[out[0]] - scores[second] <= CLOSE_MARGIN \
                    and second in INTENT_KINDS and (not kind or kind in INTENT_KINDS[second]):
                out.append(second)
    return out


def next_intent(scores: dict[str, float], tried: set[str], kind: str | None) -> str | None:
    """The best untried analysis that can state the asked kind (the next plan), if any."""
    if kind not in STRICT_KINDS:
        return None
    for intent in sorted(scores, key=lambda i: -scores[i])[:5]:
        if intent not in tried and intent != "brief" and kind in INTENT_KINDS.get(intent, set()):
            return intent
    return None


# ---- a term answers with its value and the clause that sets it ---------------------------

_SENTENCE = re.compile(r"\S.*?(?:[.;!?](?=\s|$)|$)", re.S)
_OPERATIVE = re.compile(r"\b(shall|may|must|will|agrees?|is|are|be|renews?|terminate)\b", _I)


def _states(sentence: str, value: object) -> bool:
    if isinstance(value, bool) or value is None:
        return bool(_OPERATIVE.search(sentence))
    try:
        number = float(str(value))
    except ValueError:
        return str(value).lower()[:20] in sentence.lower()
    shown = f"{number:g}"
    return bool(re.search(r"(?<![\d.])" + re.escape(shown) + r"(?![\d])", sentence))


def term_quote(quote: str | None, value: object, chunk_text: str | None, unit: str | None = None
               ) -> str | None:
    """The clause sentence that sets a term's value: the stored quote when it is an
    operative sentence stating the value, else the chunk's sentence that does (a quote
    that is only a heading, "§ 4.5 Most-Favored-Nation Pricing.", is never the answer)."""
    if unit == "bool":
        value = None  # a yes/no term is stated by an operative sentence, not a number
    q = (quote or "").strip()
    if q and _OPERATIVE.search(q) and _states(q, value) and len(q) > 40:
        return q
    for m in _SENTENCE.finditer(chunk_text or ""):
        s = " ".join(m.group(0).split())
        if 40 < len(s) <= 450 and _OPERATIVE.search(s) and _states(s, value):
            return s
    return q or None
