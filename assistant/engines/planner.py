"""The offline planner: question (+ thread history) → tool calls, or a plain refusal.

Deterministic: the same question, vocabulary and as-of date give the same plan.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant.analytics.vocabulary import Vocabulary
from assistant.engines.asked import TARGETS, Asked, has_kind, next_intent, read_asked, steer
from assistant.engines.entities import CLAUSE_TO_TERMS, Entities, add_clause_type, extract, mask_payers
from assistant.engines.router import CUE_WEIGHT, Route, SemanticRouter, route
from assistant.periods import MONTH_NAMES, Period

FOLLOW_UP_RE = re.compile(
    r"^\s*(and|what about|how about|same (for|with)|and for|also|now|ok(ay)?,? (and|what about))\b"
    r"|\b(they|them|their|that payer|it|those|same)\b",
    re.I,
)
STOP_CAPS = {
    "what",
    "which",
    "how",
    "does",
    "did",
    "do",
    "is",
    "are",
    "can",
    "could",
    "show",
    "list",
    "give",
    "tell",
    "compare",
    "when",
    "where",
    "who",
    "why",
    "will",
    "would",
    "should",
    "has",
    "have",
    "medicare",
    "medicaid",
    "cpt",
    "mri",
    "ct",
    "q1",
    "q2",
    "q3",
    "q4",
    "i",
    "we",
    "our",
    "mfn",
    "ppo",
    "hmo",
    "epo",
    "eob",
    "era",
    "carc",
    "rarc",
    "parley",
    "slack",
    "the",
    "please",
    "any",
    "all",
    "in",
    "for",
    "brief",
    "me",
    "and",
    "also",
    "ok",
    "okay",
    "hi",
    "hey",
    "so",
    "plan",
    "health",
    "network",
    "insurance",
    "contract",
    "agreement",
    "section",
    "article",
    "exhibit",
    "amendment",
    "e/m",
    "em",
    "x-ray",
    "pt",
    "ytd",
    "us",
    "usd",
    "cms",
    "npi",
    "tin",
    "ignore",
    "previous",
    "instructions",
    "then",
    "if",
    "a",
    "an",
    "let",
    "lets",
    "let's",
    "quote",
    "find",
    "draft",
    "model",
    "summarize",
    "explain",
}
MONTH_WORDS = set(MONTH_NAMES)


@dataclass
class PriorTurn:
    """A previous question of the same thread and the calls planned for it."""

    question: str
    calls: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Plan:
    """Tool calls to make, or a refusal with its kind."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    refusal: str | None = None
    detail: str | None = None
    route: Route | None = None
    entities: Entities | None = None
    asked: Asked | None = None


def unknown_payer_names(question: str, vocab: Vocabulary) -> list[str]:
    """Capitalised names used like a payer ("Acme's", "with Acme") that we do not know."""
    names = []
    pattern = re.compile(
        r"\b([A-Z][A-Za-z&]+(?:\s+[A-Z][A-Za-z&]+){0,3})(?='s\b|\s+(?:pay|pays|paid"
        r"|contract|agreement|plan|deny|denies|denied)\b)"
    )
    for m in pattern.finditer(question):
        name = m.group(1)
        words = name.split()
        while words and words[0].lower() in STOP_CAPS:
            words.pop(0)
        if not words or all(w.lower() in STOP_CAPS | MONTH_WORDS for w in words):
            continue
        names.append(" ".join(words))
    return names


# Large insurers staff may name: if one is asked about and is not among our payers, we have
# no contract or data for it (general US market knowledge, not tied to one practice).
MAJOR_INSURERS = re.compile(
    r"\b(aetna|united ?health ?care|uhc|united healthcare|cigna|humana|anthem|elevance|kaiser"
    r"|centene|ambetter|molina|wellcare|oscar|highmark|tricare|medica|bright health|caresource"
    r"|health ?net|amerigroup|optum)\b",
    re.I,
)


def known_insurers(question: str) -> list[str]:
    """Names of major insurers mentioned (the caller checks they are not our payers)."""
    return [m.group(0) for m in MAJOR_INSURERS.finditer(question)]


class Planner:
    """Maps a question to tool calls using the vocabulary and the semantic router."""

    def __init__(self, router: SemanticRouter, vocab_loader: Callable[[], Vocabulary]) -> None:
        self._router = router
        self._vocab_loader = vocab_loader

    def plan(self, question: str, as_of: dt.date, history: list[PriorTurn]) -> Plan:
        """Plan one turn."""
        vocab = self._vocab_loader()
        ent = extract(question, vocab, as_of)
        # the exemplars name no payer: compare the question's wording, not its payer's name
        semantic, clause_scores = self._router.analyse(
            mask_payers(question, vocab, ent.payers, with_text="the payer")
        )
        r = route(question, bool(ent.clause_types), semantic)
        asked = read_asked(question)
        prior = history[-1] if history else None
        follow_up = bool(
            prior and prior.calls and (FOLLOW_UP_RE.search(question) or len(question.split()) <= 6)
        )
        if follow_up and prior and not r.cues and r.refusal in (None, "out_of_scope"):
            if r.refusal is None or ent.payers or ent.codes or ent.period:
                # "and for Riverbend?": the thread's question, not the nearest exemplar
                r = Route([_intent_of(prior.calls[0]["name"])], semantic, refusal=None)
                _inherit_clause_types(ent, prior)
                asked = read_asked(prior.question)  # the thread's question decides what is asked
                if ent.period is None:
                    ent.period = _prior_period(prior)
        if r.refusal is None and asked.parts:
            r = _steer(r, asked, ent)
        if "clause" in r.intents:
            _add_semantic_clause_type(ent, clause_scores)
        if r.refusal:
            return Plan(refusal=r.refusal, route=r, entities=ent, asked=asked)
        if ent.period is not None and ent.period.start > as_of:
            return Plan(refusal="future", detail=ent.period.label, route=r, entities=ent, asked=asked)
        if not ent.payers:
            unknown = known_insurers(question) or unknown_payer_names(question, vocab)
            if unknown:
                return Plan(refusal="unknown_payer", detail=unknown[0], route=r, entities=ent)
            if follow_up and prior:
                for c in prior.calls:
                    if c["args"].get("payer"):
                        ent.payers = [c["args"]["payer"]]
                        break
        if (
            ent.unknown_codes
            and not ent.codes
            and r.intents
            and r.intents[0] in ("rates", "underpayments", "denials")
        ):
            return Plan(refusal="unknown_code", detail=ent.unknown_codes[0], route=r, entities=ent)
        calls: list[dict[str, Any]] = []
        for intent in r.intents:
            calls.extend(_calls_for(intent, question, ent, as_of, asked))
        return Plan(calls=calls, route=r, entities=ent, asked=asked)

    def next_calls(
        self, question: str, as_of: dt.date, history: list[PriorTurn], done: list[dict[str, Any]], text: str
    ) -> list[dict[str, Any]]:
        """The next plan's calls when an answer lacks the asked kind of value (none: [])."""
        plan = self.plan(question, as_of, history)
        if plan.refusal or plan.route is None or plan.entities is None or plan.asked is None:
            return []
        if has_kind(text, plan.asked.kind):
            return []
        tried = {_intent_of(c["name"]) for c in done} | set(plan.route.intents)
        intent = next_intent(plan.route.scores, tried, plan.asked.kind)
        if intent is None:
            return []
        calls = _calls_for(intent, question, plan.entities, as_of, plan.asked)
        if intent == "clause" and not plan.entities.clause_types and "notes" not in tried:
            calls += _calls_for("notes", question, plan.entities, as_of)  # no clause named: every document
        return calls


def _prior_period(prior: PriorTurn) -> Period | None:
    """The period the thread's previous question used ("and for Riverbend?" keeps March)."""
    for c in prior.calls:
        start, end = c["args"].get("start"), c["args"].get("end")
        if start and end:
            try:
                s, e = dt.date.fromisoformat(str(start)), dt.date.fromisoformat(str(end))
            except ValueError:
                return None
            return Period(start=s, end=e, label=f"{s.isoformat()} to {e.isoformat()}")
    return None


def _steer(r: Route, asked: Asked, ent: Entities) -> Route:
    """Route on topic and asked quantity together (``asked.steer``); an asked contract term
    leads the clause search and the terms asked for."""
    score = {i: p + (CUE_WEIGHT if i in r.cues else 0.0) for i, p in r.scores.items()}
    intents = steer(r.intents, score, r.cues, asked)
    clause_targets = [TARGETS[t] for t in asked.targets if TARGETS[t].clause_type]
    if clause_targets:
        ent.clause_types = list(dict.fromkeys(str(t.clause_type) for t in clause_targets))
        terms = [str(t.term) for t in clause_targets if t.term]
        for ct in ent.clause_types:
            terms += CLAUSE_TO_TERMS.get(ct, [])
        ent.terms = list(dict.fromkeys(terms))
    return Route(intents, r.scores, r.cues, r.refusal)


# A clause type named in words no pattern knows is taken from the classifier when it holds
# at least this share of the clause intent's probability.
CLAUSE_TYPE_SHARE = 0.4


def _inherit_clause_types(ent: Entities, prior: PriorTurn) -> None:
    """A follow-up naming no clause asks about the previous turn's clauses and terms."""
    if ent.clause_types:
        return
    for c in prior.calls:
        ct = c["args"].get("clause_type") if c["name"] == "contract_search" else None
        if ct and ct not in ent.clause_types:
            ent.clause_types.append(ct)
        for t in c["args"].get("terms") or [] if c["name"] == "contract_terms" else []:
            if t not in ent.terms:
                ent.terms.append(t)


def _add_semantic_clause_type(ent: Entities, clause_scores: dict[str, float]) -> None:
    """Without a clause type from the patterns, use the classifier's best clause type."""
    total = sum(clause_scores.values())
    if ent.clause_types or total <= 0:
        return
    best = max(clause_scores, key=lambda k: clause_scores[k])
    if clause_scores[best] / total < CLAUSE_TYPE_SHARE:
        return
    add_clause_type(ent, best)


# The analysis each tool call stands for (the thread's intent for a follow-up).
TOOL_INTENTS = {
    "contract_search": "clause",
    "contract_terms": "clause",
    "rate_comparison": "rates",
    "underpayments": "underpayments",
    "denials": "denials",
    "payment_timeliness": "timeliness",
    "payer_mix": "payer_mix",
    "walkaway": "walkaway",
    "counteroffer": "counteroffer",
    "deadlines": "deadlines",
    "brief_summary": "brief",
}


def _intent_of(tool_name: str) -> str:
    return TOOL_INTENTS.get(tool_name, "clause")


def _period_args(ent: Entities) -> dict[str, Any]:
    if ent.period is None:
        return {}
    return {"start": ent.period.start.isoformat(), "end": ent.period.end.isoformat()}


def _calls_for(
    intent: str, question: str, ent: Entities, as_of: dt.date, asked: Asked | None = None
) -> list[dict[str, Any]]:
    payers: list[str | None] = list(ent.payers) or [None]
    code = ent.codes[0] if ent.codes else None
    calls: list[dict[str, Any]] = []
    if intent == "clause":
        clause_types: list[str | None] = list(ent.clause_types[:2]) or [None]
        for payer in payers:
            for ct in clause_types:
                calls.append(
                    {
                        "name": "contract_search",
                        "args": {
                            "query": question,
                            "payer": payer,
                            "clause_type": ct,
                            "k": 3,
                            "doc_types": ["contract", "amendment", "exhibit"],
                        },
                    }
                )
            if ent.terms:
                calls.append({"name": "contract_terms", "args": {"payer": payer, "terms": ent.terms}})
    elif intent == "notes":
        for payer in payers:
            calls.append(
                {
                    "name": "contract_search",
                    "args": {"query": question, "payer": payer, "k": 3, "doc_types": ["note", "email"]},
                }
            )
    elif intent == "rates":
        for payer in payers if len(payers) > 1 else [None]:
            args: dict[str, Any] = {
                "codes": ent.codes or None,
                "code_group": ent.code_groups[0] if ent.code_groups and not ent.codes else None,
            }
            if payer:
                args["payer"] = payer
            elif ent.payers:
                args["payer"] = ent.payers[0]
            calls.append({"name": "rate_comparison", "args": args})
    elif intent == "underpayments":
        for payer in payers:
            calls.append(
                {"name": "underpayments", "args": {"payer": payer, "code": code, **_period_args(ent)}}
            )
    elif intent == "denials":
        several = ent.described_codes if not ent.codes and len(ent.described_codes) > 1 else None
        one = code or (ent.described_codes[0] if len(ent.described_codes) == 1 else None)
        for payer in payers:
            args = {"payer": payer, **_period_args(ent)}
            args.update({"codes": several} if several else {"code": one})
            calls.append({"name": "denials", "args": args})
    elif intent == "timeliness":
        for payer in payers:
            calls.append({"name": "payment_timeliness", "args": {"payer": payer, **_period_args(ent)}})
    elif intent == "payer_mix":
        if asked is not None and "payments_received" in asked.targets:
            # money received in a period: by payment date, one payer at a time
            for payer in payers:
                args = {"by": "payment", "payer": payer, **_period_args(ent)}
                calls.append({"name": "payer_mix", "args": args})
        else:
            calls.append({"name": "payer_mix", "args": _period_args(ent)})
    elif intent == "walkaway":
        retention = _retention(question)
        for payer in payers:
            calls.append({"name": "walkaway", "args": {"payer": payer, "retention_pct": retention}})
    elif intent == "counteroffer":
        calls.append({"name": "counteroffer", "args": _proposal(question, ent)})
    elif intent == "deadlines":
        calls.append(
            {
                "name": "deadlines",
                "args": {
                    "window_days": _window_days(question),
                    "payer": ent.payers[0] if ent.payers else None,
                },
            }
        )
    elif intent == "brief":
        calls.append({"name": "brief_summary", "args": {"payer": ent.payers[0] if ent.payers else None}})
    return calls


MONTH_WORDS_N = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "nine": 9, "twelve": 12}


def _window_days(question: str) -> int | None:
    """'next 120 days', '(120 days)', 'next four months', 'next 3 months' → days."""
    m = re.search(r"\b(\d{1,4})\s+days\b", question, re.I)
    if m:
        return int(m.group(1))
    m = re.search(r"next\s+(\d{1,2}|one|two|three|four|five|six|nine|twelve)\s+months?", question, re.I)
    if m:
        n = m.group(1).lower()
        return 30 * (int(n) if n.isdigit() else MONTH_WORDS_N[n])
    return None


def _retention(question: str) -> float | None:
    m = re.search(r"(?:keep|retain|retention of|retaining)\s+(\d{1,3})\s?%", question, re.I)
    if m:
        return float(m.group(1))
    m = re.search(
        r"\b(\d{1,3})\s?%|\b(half|a third|a quarter|two thirds)\b(?= (of )?(the |our |those )?"
        r"(patients|members|them))",
        question,
        re.I,
    )
    if m and re.search(r"stay|keep|retain|switch|remain|self-pay", question, re.I):
        words = {"half": 50.0, "a third": 33.3, "a quarter": 25.0, "two thirds": 66.7}
        return float(m.group(1)) if m.group(1) else words[m.group(2).lower()]
    return None


PROPOSAL_RE = re.compile(
    r"([+-]?\d+(?:\.\d+)?)\s?(?:%|pct\b|percent\b)\s*(of medicare)?(?:\s+(?:increase|raise|bump))?"
    r"\s*(?:on|for|to)?\s*"
    r"(?:the\s+|our\s+|all\s+)?([\w/& -]*?)(?=,|;| and |\?|$)",
    re.I,
)


def _proposal(question: str, ent: Entities) -> dict[str, Any]:
    """Proposal terms like '+6% on E/M codes, 105% of Medicare on imaging'."""
    from assistant.engines.entities import CODE_RE, GROUP_WORDS

    args: dict[str, Any] = {"payer": ent.payers[0] if ent.payers else None}
    terms = []
    for m in PROPOSAL_RE.finditer(question):
        scope = m.group(3) or ""
        codes = [c for c in CODE_RE.findall(scope)]
        group = next((g for rx, g in GROUP_WORDS if rx.search(scope)), None)
        terms.append(
            {
                "kind": "pct_of_medicare" if m.group(2) else "pct_increase",
                "value": float(m.group(1)),
                "codes": codes or None,
                "code_group": group if not codes else None,
            }
        )
    if len(terms) == 1 and not terms[0]["codes"] and not terms[0]["code_group"]:
        terms[0]["codes"] = ent.codes or None
        terms[0]["code_group"] = ent.code_groups[0] if ent.code_groups and not ent.codes else None
    if terms:
        args["terms"] = terms
    return args
