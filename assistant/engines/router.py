"""Intent routing for the offline engine: keyword cues plus a semantic router.

The semantic part embeds the question with the same MiniLM model used for retrieval and
compares it with exemplar questions per intent (``prompts/router_exemplars.json``), so
phrasings nobody wrote a rule for still land on the right analysis.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.embeddings import backend_of
from assistant.model_files import quiet_blas
from assistant.prompts import PROMPTS_DIR

if TYPE_CHECKING:
    from assistant.embeddings import TextEmbedder

INTENTS = (
    "clause",
    "notes",
    "rates",
    "underpayments",
    "denials",
    "timeliness",
    "payer_mix",
    "walkaway",
    "counteroffer",
    "deadlines",
    "brief",
)

CUES: dict[str, re.Pattern[str]] = {
    "underpayments": re.compile(
        r"underpa\w*|\bshort\w*|paid (us )?(below|less|under)|at (the )?contract(ed)?"
        r"|(pay|paid|paying)\b.{0,30}\b(under|below|less than) (the |our )?(contract\w*|fee schedule|agreed)"
        r"( rate)?|variance|paid correctly|right amount|honou?r\w*|below contract|shortchang\w*"
        r"|\b(remits?|remittances?|eras?|payments?)\b.{0,40}\b(reflect\w*|at|using|still)\b.{0,30}"
        r"\b(new|old|amend\w*|updated|current|contract\w*) (rate|fee)",
        re.I,
    ),
    "denials": re.compile(
        r"\bdeni\w*|\bdeny\w*|reject\w*|\bcarc\b|bounc\w*|kick(s|ed|ing)? back|turn(s|ed|ing)? down"
        r"|knock(s|ed|ing)? back|\b(co|pr|oa|pi|cr)[- ]?\d{1,3}s?\b",
        re.I,
    ),
    "timeliness": re.compile(
        r"\blate\b|lately paid|days to pay|take to pay|how (long|fast|quickly) .*pay(ing)? us|paid after"
        r"|interest (owed|due|we are owed)|owe[sd]? (us )?interest|interest .{0,30}\bowe|timeliness"
        r"|slow[- ]pay\w*|paying slow|on time|days to payment|average days|cut(ting)? (us )?(a |the )?checks?"
        r"|(take|taking|takes) .{0,25}\bto (pay|cut|send (us )?(the )?money|get paid)",
        re.I,
    ),
    "payer_mix": re.compile(
        r"payer mix|revenue (by|per|from) (each )?payer|share of (our )?(revenue|patients|claims|volume)"
        r"|(biggest|largest|top) payers?|cost coverage|cover (our )?costs?"
        r"|(volume|revenue|income|claims|patients|visits) by (payer|insurer|plan|carrier)"
        r"|(biggest|largest|top|main) (revenue|income) (source|driver)"
        r"|how many (of )?(our |their |the )?(patients|claims|claim lines)\b(?! in\b)"
        r"|collections|collected|\bbilled\b|(total|how much)\b.{0,30}"
        r"\bpaid us|has paid us",
        re.I,
    ),
    "walkaway": re.compile(
        r"walk[- ]?away|walk away|drop (the |this )?(payer|plan|contract)|leave (the|their) network"
        r"|go out of network|out[- ]of[- ]network|revenue at risk|afford to (terminate|leave|drop)"
        r"|(terminate|drop|leave).*\b(lose|risk)\b|\bif we (leave|drop|exit|end|cancel|walk)\b"
        r"|revenue hit|(quit|leave|exit|drop out of|get out of)\b.{0,30}\bnetwork"
        r"|\bwe (drop|terminate|cancel)\b.{0,30}\bnetwork"
        r"|go(ing)? non-?par|stop (taking|accepting|seeing)",
        re.I,
    ),
    "counteroffer": re.compile(
        r"counter[- ]?offer|proposal|propos\w*|what (would|is) .* worth|worth\b.{0,15}\b(per|a|each) year"
        r"|[+]\s?\d+(\.\d+)?\s?%|\d+(\.\d+)?\s?% (increase|raise|bump|more|higher)|raise .* by \d"
        r"|increase of \d"
        r"|\d+(\.\d+)?\s?% of medicare (on|for)|(bump|raise|increase|lift|boost)\w*\b.{0,40}\bby \d"
        r"|\d+(\.\d+)?\s?% (across the board|on everything|on all)"
        r"|(to|at) \d+(\.\d+)?\s?% (of )?(medicare|mcr)\b.{0,60}\b(worth|add|mean|annual\w*|year)",
        re.I,
    ),
    "rates": re.compile(
        r"\brates?\b|\bpays? (for|us for)\b|\bfee (for|of)\b|reimburse\w* (for|on)|% of medicare"
        r"|percent of medicare|vs\.? medicare|compared? to medicare|allowed amount|allowables?\b"
        r"|contract(ed)? (amount|amt|fee|price)s?\b",
        re.I,
    ),
    "deadlines": re.compile(
        r"deadlines?|renew\w* (in|within) the next|coming up|upcoming|days (\w+ ){0,3}left\b|notice (is )?due"
        r"|\bleft to (give|send) (\w+ )?notice|how (long|many days) (until|before|till) (the |our )?notice"
        r"|next \d+ days|(start )?prepar\w* for the next|due (soon|dates?)|what's due|by when"
        r"|last day\b|when (do|must|should) we (have to |need to )?(send|give|notify)|\bexpir\w*"
        r"|when does .{0,40}\b(end|renew)|start prep\w*|prep\w* for|renewals? (coming|upcoming|in the next)",
        re.I,
    ),
    "brief": re.compile(
        r"\bbrief(ing)?\b|talking points|negotiation (prep|plan)|prep (packet|pack|doc|sheet|material)"
        r"|one-pager|dossier",
        re.I,
    ),
    "notes": re.compile(
        r"readmission|satisfaction|quality (score|metric|figure)s?|\bnps\b|star rating|\boffer(ed)?\b"
        r"|\bcounter(ed)? with\b|\bmeeting\b|\bcheck-in\b|escalator|attributed"
        r"|(assigned|attributed) (members|lives)|how many (members|lives)|network gaps?"
        r"|only (orthopedic|ortho|provider|group)|walk-?away (floor|point|line|number)"
        r"|did we (set|decide|agree|say)|they (said|told)|last (meeting|call|round)|notes?\b|e-?mails?"
        r"|\bon (the|our|that) (\w+ )?(call|phone)\b|put on the table|\bcall with\b",
        re.I,
    ),
}

# Requests Parley must refuse whatever else they contain.
PRIVACY_RE = re.compile(
    r"\b(ssn|social security|dates? of birth|dob|home address(es)?|phone numbers?|member ids?|mrns?"
    r"|patient('s)? (names?|address|identity|numbers?)|names? (of|and) .{0,30}patients?"
    r"|who (is|are) the patients?|actual patient)\b"
    r"|\bmrn\s*#?:?\s*\d+|\bpatient\s+(id|#|number|no\.?)\s*:?\s*\w*\d{3,}|\bpatient\s+[a-z]{2,4}\d{4,}\b",
    re.I,
)
OFF_TOPIC_RE = re.compile(
    r"\b(haiku|poem|song|limerick|joke|translate|weather|stocks?|invest\w*|recipe|diagnos\w*"
    r"|medication|what should i take|symptoms?|capital of|ceo|cfo|stock price|share price"
    r"|headquarter\w*|market cap\w*|who (founded|owns|runs))\b",
    re.I,
)
ORG_SUFFIX = (
    r"(Pediatrics|Clinic|Center|Centre|Medical Group|Associates|Orthopedics|Health System"
    r"|Hospital|Practice|Physicians|Partners|Surgery Center|Family Medicine|Spine Center)"
)
OTHER_ORG_RE = re.compile(r"\b(?:[A-Z][a-z]+\s+){1,3}" + ORG_SUFFIX + r"\b(?:'s?)?")
OTHER_PRACTICE_RE = re.compile(
    r"\b(another|other|competing|competitor'?s?|rival) (practice|group|clinic|provider)'?s?\b"
    r"|\b(practice|group|clinic|office) across town\b|\bacross town\b.{0,40}\b(contract|rates?)\b",
    re.I,
)


EXPLICIT_CLAUSE_RE = re.compile(
    r"\b(clause|section|provision|language|say|says|quote|wording|require[sd]?|limit|notice"
    r"|deadline|window|allowed to|contract terms?|interest rate|rate of interest|cure period"
    r"|contract (says?|gives?|allows?|requires?|provides?)|does the contract"
    r"|agreement (say|require|allow|permit)\w*)\b",
    re.I,
)


MODAL_RE = re.compile(
    r"^\s*(can|may|could|is|are|does|do|must|will|what does the contract|how (does|do|is|are))\b", re.I
)
NOTES_STRIP_RE = re.compile(r"walk-?away (floor|point|line|number)|% of medicare|\boffer(ed)?\b", re.I)


@dataclass
class Route:
    """The intents chosen for a question and why."""

    intents: list[str]
    scores: dict[str, float] = field(default_factory=dict)
    cues: list[str] = field(default_factory=list)
    refusal: str | None = None  # "out_of_scope" | "privacy" | "other_practice"


class SemanticRouter:
    """Intent probabilities from sentence embeddings: a logistic regression fitted on the
    exemplar questions (``prompts/router_exemplars.json``) when the router is built.

    Exemplar keys are intents (``"rates"``) or clause types under the clause intent
    (``"clause:timely_filing"``). ``analyse`` returns the probability of each intent (the
    clause types' probabilities summed into ``"clause"``) and of each clause type.
    """

    def __init__(self, embedder: TextEmbedder, cache_dir: Path | None = None) -> None:
        self._embedder = embedder
        raw = (PROMPTS_DIR / "router_exemplars.json").read_bytes()
        data = json.loads(raw.decode("utf-8"))
        labels: list[str] = []
        texts: list[str] = []
        for key, examples in data.items():
            if not key.startswith("_"):
                labels.extend([key] * len(examples))
                texts.extend(examples)
        fitted = self._cache_path(raw, cache_dir, f"clf-C{ROUTER_C:g}", ".npz")
        loaded = _load_classifier(fitted)
        if loaded is not None:  # no scikit-learn import, no fit: ~10 s less per start-up
            self._classes, self._coef, self._intercept = loaded
            return
        from sklearn.linear_model import LogisticRegression

        matrix = self._embed(texts, raw, cache_dir)
        model = LogisticRegression(C=ROUTER_C, max_iter=3000).fit(matrix, labels)
        quiet_blas()  # scikit-learn brought scipy's own BLAS pool with it
        self._classes = [str(c) for c in model.classes_]
        self._coef = np.asarray(model.coef_, dtype=np.float64)
        self._intercept = np.asarray(model.intercept_, dtype=np.float64)
        _save_classifier(fitted, self._classes, self._coef, self._intercept)

    def _cache_path(self, raw: bytes, cache_dir: Path | None, kind: str,
                    suffix: str) -> Path | None:
        """A cache file for what was derived from this exemplar file by this model."""
        if cache_dir is None:
            return None
        model = f"{self._embedder.model_name}|{backend_of(self._embedder)}"
        key = hashlib.sha256(raw + model.encode() + kind.encode()).hexdigest()[:16]
        return cache_dir / f"router-{kind}-{key}{suffix}"

    def _embed(self, texts: list[str], raw: bytes, cache_dir: Path | None) -> np.ndarray:
        """The exemplars' embeddings, read from ``cache_dir`` when the same exemplar file was
        embedded by the same model before (saves ~3 s per start-up)."""
        path = self._cache_path(raw, cache_dir, "embeddings", ".npy")
        if path is not None and path.is_file():
            try:
                cached = np.load(path, allow_pickle=False)
                if cached.shape[0] == len(texts):
                    return cached
            except (OSError, ValueError):
                pass  # unreadable cache: embed again and rewrite it
        matrix = np.asarray(self._embedder.embed_documents(texts), dtype=np.float32)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npy")
                np.save(tmp, matrix, allow_pickle=False)
                tmp.replace(path)
            except OSError:
                pass  # a read-only data dir only costs the start-up time
        return matrix

    def analyse(self, question: str) -> tuple[dict[str, float], dict[str, float]]:
        """(probability per intent, probability per clause type)."""
        q = np.asarray(self._embedder.embed_query(question), dtype=np.float64)
        # The multinomial logistic regression's predict_proba: a softmax of the scores.
        scores = self._coef @ q + self._intercept
        scores = np.exp(scores - scores.max())
        probs = scores / scores.sum()
        intents: dict[str, float] = {}
        clauses: dict[str, float] = {}
        for key, p in zip(self._classes, probs, strict=True):
            intent, _, clause = str(key).partition(":")
            intents[intent] = intents.get(intent, 0.0) + float(p)
            if clause:
                clauses[clause] = float(p)
        return intents, clauses


ROUTER_C = 16.0  # weak regularisation: the exemplars are clean, the classes many


def _load_classifier(path: Path | None) -> tuple[list[str], np.ndarray, np.ndarray] | None:
    """The fitted router (classes, coefficients, intercepts) cached at ``path``."""
    if path is None or not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            classes = [str(c) for c in data["classes"]]
            coef, intercept = data["coef"], data["intercept"]
    except (OSError, ValueError, KeyError):
        return None  # unreadable: fitted again and rewritten
    if coef.shape[0] != len(classes) or intercept.shape[0] != len(classes):
        return None
    return classes, coef, intercept


def _save_classifier(path: Path | None, classes: list[str], coef: np.ndarray,
                     intercept: np.ndarray) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
        with tmp.open("wb") as fh:
            np.savez(fh, classes=np.asarray(classes), coef=coef, intercept=intercept)
        tmp.replace(path)
    except OSError:
        pass  # a read-only data dir only costs the start-up time


# Keyword cues add this much to an intent's probability: a cue decides between close
# intents, a clearly different meaning (probability far above the cue's) still wins.
CUE_WEIGHT = 0.45
# Without any cue, the classifier must be this sure before Parley acts on it.
UNCUED_MIN = 0.25


def _combine(cues: list[str], semantic: dict[str, float]) -> list[str]:
    """Cued intents plus the classifier's best, ranked by probability + cue weight."""
    if not cues:
        return cues
    score = {i: semantic.get(i, 0.0) + (CUE_WEIGHT if i in cues else 0.0) for i in INTENTS}
    best = max(score, key=lambda i: score[i])
    if "notes" in cues:
        best = max(cues, key=lambda i: score[i])  # words only notes hold ("attributed members")
    keep = set(cues) | {best}
    return sorted(keep, key=lambda i: (-score[i], INTENTS.index(i)))


def route(question: str, has_clause: bool, semantic: dict[str, float]) -> Route:
    """Pick the intents for a question from cues, clause mentions and semantic scores."""
    if PRIVACY_RE.search(question):
        return Route([], semantic, refusal="privacy")
    if OTHER_PRACTICE_RE.search(question) or (
        OTHER_ORG_RE.search(question) and not re.search(r"\bour\b", question, re.I)
    ):
        return Route([], semantic, refusal="other_practice")
    if OFF_TOPIC_RE.search(question):
        return Route([], semantic, refusal="out_of_scope")
    cues = [i for i, rx in CUES.items() if rx.search(question)]
    if has_clause:
        cues.append("clause")
    # Suppressions: a more specific analysis subsumes a generic cue.
    if {"underpayments", "counteroffer", "walkaway", "denials", "timeliness", "payer_mix"} & set(
        cues
    ) and "rates" in cues:
        cues.remove("rates")  # "denial rate", "paid at the contract rate": not a rate comparison
    if "notes" in cues:
        for weaker in ("rates", "walkaway", "counteroffer", "payer_mix"):
            if weaker in cues and not CUES[weaker].search(NOTES_STRIP_RE.sub(" ", question)):
                cues.remove(weaker)
        if "clause" in cues and not EXPLICIT_CLAUSE_RE.search(question):
            cues.remove("clause")
    if re.search(
        r"appeal|timely[- ]?fil|filing (limit|deadline|window)|get (a |our )?claims? in", question, re.I
    ):
        for weaker in ("denials", "deadlines"):
            if weaker == "deadlines" and re.search(r"notice|renew|expir|terminat", question, re.I):
                continue
            if weaker in cues and "clause" in cues:
                cues.remove(weaker)
    if (
        "deadlines" in cues
        and "clause" in cues
        and not re.search(
            r"\band\b.{0,40}\b(timely|filing|appeal|interest|mfn|favou?red|arbitrat|audit)", question, re.I
        )
    ):
        cues.remove("clause")
    if "brief" in cues:
        return Route(["brief"], semantic, cues)
    if "rates" in cues and "clause" in cues and MODAL_RE.match(question):
        cues.remove("rates")  # "Can they change our rates?" asks about the contract
    analytic = set(cues) - {"clause", "brief"}
    if analytic and "clause" in cues and not EXPLICIT_CLAUSE_RE.search(question):
        cues.remove("clause")
    if "walkaway" in cues and "clause" in cues and not re.search(r"notice|clause|say", question, re.I):
        cues.remove("clause")
    if (
        "timeliness" in cues
        and "clause" in cues
        and not (
            EXPLICIT_CLAUSE_RE.search(question)
            or re.search(r"how many days (do|does) (they|the payer) (have|get)", question, re.I)
        )
    ):
        cues.remove("clause")
    if "denials" in cues and "clause" in cues and not EXPLICIT_CLAUSE_RE.search(question):
        cues.remove("clause")
    top = max(semantic, key=lambda k: semantic[k]) if semantic else "out_of_scope"
    top_score = semantic.get(top, 0.0)
    if not cues:
        if top != "out_of_scope" and top_score >= UNCUED_MIN:
            return Route([top], semantic)
        if re.search(r"\b(contract|agreement|clause|section|provision|exhibit|amendment)s?\b", question, re.I):  # noqa: E501
            return Route(["clause"], semantic)  # about the documents: search them
        return Route([], semantic, refusal="out_of_scope")
    ordered = _combine(cues, semantic)
    return Route(ordered[:3], semantic, cues)
