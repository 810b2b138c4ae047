"""The parties of a payer–provider agreement, read from its preamble.

Real preambles: 'This Participating Provider Agreement ("Agreement") is entered into by and
between Cedar Ridge Health Plan, Inc., a Texas corporation ("Health Plan"), and Lakeside
Orthopedics, P.A. ("Provider")', or just 'X ("Plan") and Y ("Provider")'. The preamble may
sit on page 2 or 3 behind a W-9 or a fax cover, with OCR line breaks and odd quotes. Which
party is the payer is decided by its role label (Health Plan, Plan, Company, Payor, MCO,
HMO, Insurer ...) against the provider's (Provider, Practice, Group, Physician ...), and
by the names themselves when the labels say nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREAMBLE_WINDOW = 40_000  # characters searched: a W-9 and a cover letter come first

_Q = "\"“”'‘’`"
_ROLE_PAREN = re.compile(
    r"\(\s*(?:(?:each|individually|collectively)[^()]{0,30}?)?(?:hereinafter\s+(?:referred\s+to\s+as\s+|"
    r"called\s+)?)?(?:the\s+|a\s+)?[" + _Q + r"]{0,2}\s*([A-Za-z][A-Za-z .&/-]{1,40}?)\s*[" + _Q
    + r"]{0,2}\s*(?:,?\s*(?:or|and)\s+[^()]{0,60})?\)",
    re.I,
)
PAYER_ROLES = re.compile(
    r"^(?:health\s*plan|plan|company|payor|payer|mco|hmo|insurer|carrier|issuer|network|ppo|"
    r"administrator|tpa|health\s+maintenance\s+organization|managed\s+care\s+organization|"
    r"contractor\s+mco|organization)$",
    re.I,
)
PROVIDER_ROLES = re.compile(
    r"^(?:(?:participating|contracted|network|contracting)\s+)?(?:provider|practice|group|physicians?|"
    r"hospital|facility|medical\s+group|ipa|professional|clinic|practitioner|physician\s+group|"
    r"provider\s+group)$",
    re.I,
)
OPENER = re.compile(r"\b(?:by\s+and\s+between|by\s+and\s+among|between|among|made\s+by|"
                     r"entered\s+into\s+by)\s+", re.I)
_DESCRIPTOR = re.compile(
    r",?\s*\b(?:a|an)\s+(?:[A-Z][\w.-]*\s+){0,4}(?:corporation|company|limited|partnership|"
    r"professional|nonprofit|non-profit|not-for-profit|health|insurance|medical|physician|"
    r"hospital|association|llc|l\.l\.c|pllc|pc|p\.c|pa|p\.a|business|entity|organization|"
    r"mutual|stock|domestic|foreign|licensed)\b"
    r"|,\s*(?:a|an)\s+"
    r"|,?\s*\b(?:on\s+behalf\s+of|for\s+itself|with\s+(?:its|a)\s+principal|having\s+(?:its|an?)\s+|"
    r"located\s+at|whose\s+|organized\s+|incorporated\s+|duly\s+|and\s+its\s+affiliates)"
    r"|\s*\(",
    re.I,
)
_DBA = re.compile(r",?\s*\b(?:d/b/a|dba|d\.b\.a\.?|doing\s+business\s+as)\b\s*", re.I)
_PAYER_NAME = re.compile(
    r"health\s*plan|insurance|assurance|\bhmo\b|health\s+(?:partners|network|options|alliance)|"
    r"blue\s+cross|blue\s+shield|medicaid|managed\s+care|\bcare\s+plan|health\s+services|"
    r"health,?\s+inc|healthcare\s+plan|community\s+care|health\s+association|cooperative\s+health"
    r"|insurance\s+company|\bmutual\b",
    re.I,
)
_PROVIDER_NAME = re.compile(
    r"\bm\.?\s?d\.?\b|\bd\.o\.|\bp\.?c\.?$|\bp\.?a\.?$|\bpllc\b|medical\s+group|clinic|physicians|"
    r"orthop(?:a)?edic|practice|associates|pediatric|family\s+medicine|hospital|surgery\s+center|"
    r"primary\s+care",
    re.I,
)


# A sentence end that is not an abbreviation ("Inc.", "Corp.", "Dr.", "M.D.").
_SENTENCE_END = re.compile(
    r"(?<!\b[A-Z])(?<!\b[A-Z][a-z])(?<!Inc)(?<!Corp)(?<!Ltd)(?<!Bros)\.\s+"
    r"|,?\s+(?:effective|dated|as\s+of)\b"
)


@dataclass
class Party:
    """One party of the agreement as its preamble names it."""

    name: str  # clean legal name: "Cedar Ridge Health Plan, Inc."
    role: str = ""  # the defined role label: "Health Plan", "Provider", or ""
    kind: str = ""  # payer | provider | ""
    dba: str = ""  # the d/b/a name when the preamble gives one


def clean_party_name(raw: str) -> tuple[str, str]:
    """(legal name, d/b/a name) from 'X, Inc., a Texas corporation d/b/a Y'."""
    text = " ".join(raw.replace("*", " ").split()).strip(" ,;:" + _Q)
    text = re.sub(r"^(?:and|&|the\s+undersigned)\s+", "", text, flags=re.I).strip()
    dba = ""
    m = _DBA.search(text)
    if m:
        dba = _DESCRIPTOR.split(text[m.end() :], maxsplit=1)[0].strip(" ,;" + _Q)
        text = text[: m.start()]
    m = _DESCRIPTOR.search(text)
    if m and m.start() > 2:
        text = text[: m.start()]
    name = text.strip(" ,;:" + _Q)
    if len(name) > 100 or not re.search(r"[A-Z]", name) or len(name) < 3:
        return "", dba
    return name, dba


def _kind(role: str, name: str) -> str:
    role = " ".join(role.split())
    if PAYER_ROLES.match(role):
        return "payer"
    if PROVIDER_ROLES.match(role):
        return "provider"
    payerish, providerish = bool(_PAYER_NAME.search(name)), bool(_PROVIDER_NAME.search(name))
    if payerish != providerish:
        return "payer" if payerish else "provider"
    return ""


_NOT_PARTY = re.compile(r"^(?:agreement|amendment|effective\s+date|part(?:y|ies)|services?|term)$", re.I)


def _role_parens(segment: str) -> list[re.Match[str]]:
    """Parentheticals that label a party: a role word, an abbreviation ("SCH") or a quoted
    short name ("Granite Peak")."""
    out = []
    for m in _ROLE_PAREN.finditer(segment):
        label = " ".join(m.group(1).split())
        quoted = bool(re.search(r"[" + _Q + r"]", m.group(0)))
        if _NOT_PARTY.match(label):
            continue
        if (PAYER_ROLES.match(label) or PROVIDER_ROLES.match(label)
                or re.fullmatch(r"[A-Z][A-Za-z&]{1,7}", label)
                or (quoted and len(label.split()) <= 4 and label[:1].isupper())):
            out.append(m)
    return out


def _labelled(segment: str) -> list[Party]:
    """Parties of a preamble segment that labels them: 'X ("Plan"), and Y ("Provider")'."""
    parens = _role_parens(segment)[:2]
    if not parens:
        return []
    out = []
    start = 0
    for m in parens:
        name, dba = clean_party_name(segment[start : m.start()])
        role = " ".join(m.group(1).split())
        if name:
            out.append(Party(name, role, _kind(role, name), dba))
        start = m.end()
    if len(out) == 1:  # 'X ("Plan") and Y.' – the second party is unlabelled
        name, dba = clean_party_name(_SENTENCE_END.split(segment[start:], maxsplit=1)[0])
        if name and len(name) <= 80:
            out.append(Party(name, "", _kind("", name), dba))
    return out


def parties_of(text: str) -> list[Party]:
    """The agreement's parties from its preamble (empty when none is found)."""
    window = text[:PREAMBLE_WINDOW]
    for m in OPENER.finditer(window):
        before = window[max(0, m.start() - 600) : m.start()]
        if not re.search(r"\b(?:agreement|contract|amendment|addendum)\b", before, re.I):
            continue
        segment = window[m.end() : m.end() + 1200]
        segment = re.sub(r"^(?:and\s+)?(?:between|among)\s+", "", segment, flags=re.I)
        segment = re.split(r"\n\s*\n\s*(?:RECITALS|WHEREAS|W\s?I\s?T\s?N\s?E\s?S\s?S|NOW,)", segment)[0]
        parties = _labelled(segment)
        if len(parties) >= 2 or (parties and parties[0].kind):
            return parties
        flat = " ".join(segment.split())
        halves = re.split(r",?\s+and\s+", flat, maxsplit=1)
        if len(halves) == 2:
            end = _SENTENCE_END.split(halves[1], maxsplit=1)[0]
            found = [clean_party_name(h) for h in (halves[0], end)]
            named = [Party(n, "", _kind("", n), d) for n, d in found if n]
            if len(named) == 2:
                return named
    # no 'between': 'X ("Plan") and Y ("Provider")' anywhere near the start
    for m in _ROLE_PAREN.finditer(window):
        if PAYER_ROLES.match(" ".join(m.group(1).split())):
            lead = window[max(0, m.start() - 400) : m.start()]
            cuts = [x.end() for x in re.finditer(r"\n\s*\n|" + _SENTENCE_END.pattern, lead)]
            start = m.start() - len(lead) + (cuts[-1] if cuts else 0)
            parties = _labelled(window[start : m.end() + 400])
            if parties and any(p.kind == "payer" for p in parties):
                return parties
    return []


def payer_party(parties: list[Party]) -> Party | None:
    """The payer among the parties: by role, else the party that is not the provider."""
    for p in parties:
        if p.kind == "payer":
            return p
    others = [p for p in parties if p.kind != "provider"]
    if len(parties) == 2 and len(others) == 1:
        return others[0]
    return None
