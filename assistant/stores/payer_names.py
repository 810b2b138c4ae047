"""Payer-name normalisation for the payer registry (pure functions, no database).

Two names are the same payer when they differ only in form: case, punctuation, "and"/"of",
a legal suffix ("Inc.", "LLC"), or generic trailing words ("Health Plan", "Insurance
Company") as long as what remains still matches. "Blue Cross Blue Shield of Texas" and
"... of Illinois" keep their states, so they stay apart.
"""

from __future__ import annotations

import hashlib
import re

#: Dropped wherever they occur: they never tell two payers apart.
STOPWORDS = frozenset({"the", "of", "and", "a", "an", "for", "dba"})
#: Stripped from the end of a name (repeatedly): legal forms.
LEGAL_SUFFIXES = frozenset({
    "inc", "incorporated", "llc", "lc", "llp", "lp", "ltd", "limited", "corporation",
    "pc", "plc", "pllc",
})
#: Stripped from the end of a name for the *core* key, while a distinctive word remains.
GENERIC_TRAILING = frozenset({
    "health", "healthcare", "plan", "plans", "insurance", "insurer", "insurers", "company",
    "companies", "network", "networks", "services", "service", "group", "benefits",
    "administrators", "administrator", "hmo", "ppo", "epo", "pos", "payer", "name",
    "assurance", "coverage", "system", "systems", "solutions", "association",
})
#: Words too common to be a payer's whole core ("United" of United Healthcare and of
#: United American Insurance): a core is never reduced to one of these alone.
COMMON_LEADS = frozenset({
    "united", "american", "national", "first", "community", "blue", "health", "care",
    "medical", "general", "central", "southern", "northern", "western", "eastern",
    "pacific", "atlantic", "great", "liberty", "mutual", "state", "public", "premier",
    "select", "choice", "total", "family", "global", "standard", "independent", "regional",
})
#: Names made only of these are placeholders ("PAYER", "PAYER NAME", "Health Plan"):
#: they are payers of their own file but never matched in another document's text.
PLACEHOLDER_WORDS = GENERIC_TRAILING | STOPWORDS | LEGAL_SUFFIXES | {
    "dental", "medical", "vision", "unknown", "payor", "insurance", "carrier", "plan",
}

#: Abbreviations remittances use for the words contracts spell out ("HLTH PLN", "INS CO").
ABBREVIATIONS = {
    "hlth": "health", "hlthcare": "healthcare", "pln": "plan", "ins": "insurance",
    "insur": "insurance", "co": "company", "cos": "companies", "corp": "corporation",
    "coop": "cooperative", "assn": "association", "assoc": "association",
    "mut": "mutual", "natl": "national", "svc": "service", "svcs": "services",
    "grp": "group", "admin": "administrators", "adm": "administrators", "ntwk": "network",
    "netwk": "network", "med": "medical", "mgmt": "management", "mgd": "managed",
    "hp": "health plan",
}

_WORD = re.compile(r"[0-9A-Za-z]+")
_COOP = re.compile(r"\bco-op\b", re.I)


def tokens_cased(text: str) -> list[tuple[str, bool]]:
    """``tokens`` with, for each, whether the source word was written in capitals."""
    clean = _COOP.sub("coop", text).replace("&", " and ").replace("'", "").replace("\u2019", "")
    out: list[tuple[str, bool]] = []
    for raw in _WORD.findall(clean):
        for word in ABBREVIATIONS.get(raw.lower(), raw.lower()).split():
            if word not in STOPWORDS:
                out.append((word, raw.isupper()))
    return out


def tokens(text: str) -> list[str]:
    """Lower-case word tokens; '&' reads as 'and', apostrophes vanish (Workers' → workers),
    common abbreviations are spelled out (HLTH → health, INS CO → insurance company)."""
    return [w for w, _ in tokens_cased(text)]


def _strip_legal(toks: list[str]) -> list[str]:
    out = list(toks)
    while len(out) > 1 and out[-1] in LEGAL_SUFFIXES:
        out.pop()
    return out


def full_key(name: str) -> str:
    """The name's form-free key: tokens without stopwords and trailing legal suffixes."""
    return " ".join(_strip_legal(tokens(name)))


def core_key(name_or_key: str) -> str:
    """The full key without generic trailing words, unless that leaves nothing or only a
    common word ("Cedar Ridge Health Plan, Inc." → "cedar ridge"; "United Healthcare"
    stays "united healthcare")."""
    toks = full_key(name_or_key).split()
    while len(toks) > 1 and toks[-1] in GENERIC_TRAILING:
        rest = toks[:-1]
        if len(rest) == 1 and (rest[0] in COMMON_LEADS or rest[0] in PLACEHOLDER_WORDS):
            break
        toks = rest
    return " ".join(toks)


def compact(key: str) -> str:
    """A key without spaces ("unitedhealthcare" == "united healthcare")."""
    return key.replace(" ", "")


def is_placeholder(name: str) -> bool:
    """True for names with no distinctive word ("PAYER", "PAYER NAME", "Health Plan")."""
    toks = tokens(name)
    return not toks or all(t in PLACEHOLDER_WORDS or t.isdigit() for t in toks)


def matchable(key: str) -> bool:
    """Whether a key may be looked for in a document's text: distinctive, not too short."""
    return len(key) >= 3 and not is_placeholder(key) and key not in COMMON_LEADS


def acronyms(key: str) -> list[str]:
    """Initials of a key and of it without each generic trailing word, three to six letters
    ("granite peak health insurance company" → gphic, gphi, gph)."""
    words = key.split()
    out = []
    while len(words) >= 3:
        if len(words) <= 6:
            out.append("".join(w[0] for w in words))
        if words[-1] not in GENERIC_TRAILING:
            break
        words = words[:-1]
    return out


def lead_word(key: str) -> str:
    """A core's first word when it is distinctive enough to name the payer alone in a
    note ("Tamarack" of "tamarack mutual"): six letters or more, not a common or generic
    word; else ""."""
    words = key.split()
    first = words[0] if len(words) >= 2 else ""
    if len(first) < 6 or not first.isalpha() or first in COMMON_LEADS or first in PLACEHOLDER_WORDS:
        return ""
    return first


def is_prefix(short: str, long: str) -> bool:
    """True when ``short``'s tokens begin ``long``'s (and ``long`` has more)."""
    a, b = short.split(), long.split()
    return 0 < len(a) < len(b) and b[: len(a)] == a


def prefix_strong(key: str) -> bool:
    """A core distinctive enough to absorb longer names that start with it."""
    toks = key.split()
    return (len(key) >= 5 and not is_placeholder(key)
            and not (len(toks) == 1 and toks[0] in COMMON_LEADS))


def one_typo_apart(a: str, b: str) -> bool:
    """Same number of words, one word differing by one edit, both words >= 6 letters
    ("keystone"/"keystne" yes; "iowa"/"ohio" no: states and short words must match)."""
    from rapidfuzz.distance import OSA

    ta, tb = a.split(), b.split()
    if len(ta) != len(tb) or ta == tb:
        return False
    diff = [(x, y) for x, y in zip(ta, tb, strict=True) if x != y]
    if len(diff) != 1:
        return False
    x, y = diff[0]
    return min(len(x), len(y)) >= 6 and OSA.distance(x, y) <= 1


def display_name(name: str) -> str:
    """A name as shown: whitespace collapsed; ALL-CAPS remittance names in title case."""
    clean = " ".join(name.split()).strip(" ,;")
    letters = [c for c in clean if c.isalpha()]
    if " " not in clean or any(c.islower() for c in letters):
        return clean
    words = []
    for w in clean.split(" "):
        bare = re.sub(r"[^A-Za-z]", "", w)
        if bare.lower() in {"of", "and", "the", "for"}:
            words.append(w.lower())
        elif len(bare) <= 3 and not re.search(r"[AEIOUY]", bare):
            words.append(w)  # an acronym: BCBS, HMO, PPO
        else:
            words.append(w[:1] + w[1:].lower())
    return " ".join(words)


def auto_payer_id(name: str) -> str:
    """A payer id for a payer no override names: derived from the core of its name only
    (never from arrival order), so spelling variants and legal suffixes keep it stable."""
    key = core_key(name) or full_key(name)
    words = key.upper().split()
    slug = "-".join(words)
    if len(slug) > 24:  # "northwind medicare advantage" → NORTHWIND-MA
        slug = words[0][:16] + "-" + "".join(w[0] for w in words[1:])
    if len(slug) < 3:
        slug = "PAYER-" + hashlib.sha256(key.encode()).hexdigest()[:4].upper()
    return slug


def contract_ref_key(ref: str) -> str:
    """A contract number compared without case and punctuation."""
    return re.sub(r"[^0-9A-Z]", "", ref.upper())
