"""Rule-based clause tagger over the taxonomy in ``assistant.vocabulary.CLAUSE_TYPES``.

Each clause type has regular expressions for the body and for headings. A chunk gets a
type when a body pattern matches, or when its heading names the type. Measured against
CUAD's expert labels by ``bench/bench_tagger.py``; the patterns are written from general
contract language, not from the sample practice.
"""

from __future__ import annotations

import re

from assistant.vocabulary import CLAUSE_TYPES

_N = r"(?:\d+|[a-z]+(?:[\s-][a-z]+){0,4}\s*\(\d+\))"  # 90 | ninety (90) | one hundred twenty (120)
_I = re.I

BODY: dict[str, list[str]] = {
    "term_renewal": [
        r"\b(?:automatically|shall automatically|will automatically)\s+(?:be\s+)?renew",
        r"\brenews?\s+automatically\b",
        r"\bsuccessive\s+(?:\w+\s+){0,3}(?:periods?|terms?)\b",
        r"\brenewal\s+(?:term|period)s?\b",
        r"\binitial\s+term\b",
        r"\bnotice\s+of\s+(?:its\s+)?(?:intent(?:ion)?\s+)?(?:not\s+to\s+renew|non-?renewal)",
        r"\b(?:elect|decides?|intends?)\s+not\s+to\s+renew\b",
        r"\bterm\s+of\s+this\s+(?:agreement|contract)\s+(?:shall|will)\s+(?:commence|begin|be|continue)",
        r"\bshall\s+(?:remain|continue)\s+in\s+(?:full\s+)?(?:force|effect)\s+(?:for|until)\b",
        r"\bshall\s+expire\b|\bexpiration\s+date\b",
    ],
    "termination_without_cause": [
        r"\bwithout\s+cause\b",
        r"\bterminat\w*\b[^.]{0,150}\bfor\s+(?:any\s+reason|no\s+reason|convenience)\b",
        r"\bfor\s+(?:any\s+reason|no\s+reason|convenience)\b[^.]{0,80}\bterminat",
        r"\bmay\s+terminate\b[^.]{0,80}\bat\s+any\s+time\b",
        r"\bterminat\w*\b[^.]{0,120}\bat\s+any\s+time\b[^.]{0,80}\b(?:notice|days)\b",
        r"\bat\s+any\s+time\b[^.]{0,80}\bterminat\w*\b[^.]{0,120}\bprior\s+written\s+notice\b",
    ],
    "termination_for_cause": [
        r"\b(?:for|with)\s+cause\b",
        r"\bmaterial(?:ly)?\s+breach\w*\b[^.]{0,200}\bterminat",
        r"\bterminat\w*\b[^.]{0,200}\bmaterial(?:ly)?\s+breach",
        r"\bcure\s+(?:period|such\s+breach|the\s+breach)\b|\bfail\w*\s+to\s+cure\b",
        r"\bterminat\w*\s+(?:this\s+agreement\s+)?immediately\b",
        r"\b(?:insolven\w*|bankruptcy)\b[^.]{0,200}\bterminat",
    ],
    "most_favored_nation": [
        r"\bmost[\s-]+favou?red[\s-]+(?:nation|customer|pricing|licensee)",
        r"\b(?:no|not)\s+(?:less|more)\s+favou?rable\s+(?:terms|prices|rates|pricing)",
        r"\b(?:no|not)\s+less\s+favou?rable\s+than\b[^.]{0,160}\b(?:any\s+other|other\s+(?:payers?|customers?|licensees?))",
        r"\b(?:lower|better|more\s+favou?rable)\s+(?:prices?|rates?|terms?|pricing)\b[^.]{0,120}"
        r"\b(?:any\s+other|third\s+part|other\s+(?:customer|payer|licensee|distributor))",
        r"\bany\s+other\s+(?:payer|customer|licensee)\b[^.]{0,120}\b(?:lower|better|more\s+favou?rable)\b",
        r"\bat\s+least\s+as\s+favou?rable\b",
        r"\bno\s+less\s+favou?rable\b[^.]{0,60}\bthan\b[^.]{0,160}\bany\s+other\b",
        r"\bany\s+other\b[^.]{0,120}\b(?:rates?|prices?)\b[^.]{0,80}\blower\b[^.]{0,120}\b(?:same|offer\w*)\b",
        r"\b(?:higher|lower)\s+(?:fees?|prices?|rates?|royalt\w+)\s+than\b[^.]{0,120}\bother\b",
        r"\b(?:grants?|offers?|provides?|extends?)\b[^.]{0,100}\b(?:other|third)\b[^.]{0,100}"
        r"\b(?:more\s+favou?rable|better\s+(?:terms|prices?|rates?))",
    ],
    "hold_harmless": [
        r"\bhold\s+harmless\b[^.]{0,200}\b(?:member|enrollee|subscriber|patient|beneficiar)",
        r"\b(?:member|enrollee|subscriber)s?\b[^.]{0,200}\bhold\s+harmless\b",
        r"\b(?:shall|will)\s+not\s+(?:bill|charge|collect)\b[^.]{0,160}\b(?:member|enrollee|subscriber|patient)",
        r"\bbalance[\s-]bill",
        r"\bin\s+no\s+event\b[^.]{0,60}\b(?:bill|charge|collect|seek)\b[^.]{0,120}\b(?:member|enrollee|subscriber|patient)",
    ],
    "timely_filing": [
        r"\btimely\s+filing\b",
        r"\bclaims?\b[^.]{0,120}\b(?:submitted|filed|received)\b[^.]{0,60}\bwithin\s+"
        + _N
        + r"\s+days?\b[^.]{0,60}"
        r"\b(?:date\s+of\s+service|services?\s+(?:were|are)\s+rendered|discharge)",
        r"\b(?:within|no\s+later\s+than|not\s+later\s+than)\s+"
        + _N
        + r"\s+(?:calendar\s+)?days?\b[^.]{0,60}"
        r"\b(?:date\s+of\s+service|services?\s+(?:were|are|was)\s+(?:rendered|provided)|discharge)",
    ],
    "prompt_pay": [
        r"\bclean\s+claims?\b",
        r"\bprompt[\s-]+pay",
        r"\binterest\b[^.]{0,120}\b(?:late|overdue|unpaid|past\s+due)\b[^.]{0,60}\b(?:payments?|amounts?|claims?|invoices?)",
        r"\b(?:pay|payment|paid)\b[^.]{0,60}\bwithin\s+"
        + _N
        + r"\s+(?:calendar\s+|business\s+)?days\s+(?:of|after|following)\s+"
        r"(?:receipt|the\s+receipt|its\s+receipt|receiving)",
    ],
    "fee_schedule": [
        r"\bfee\s+schedules?\b",
        r"\b\d+(?:\.\d+)?\s*%\s+of\s+(?:the\s+)?(?:medicare|cms|rbrvs|billed\s+charges)",
        r"\bpercent\s+\(\d+(?:\.\d+)?%\)\s+of\s+(?:the\s+)?(?:medicare|cms)",
        r"\b(?:lesser|lower)\s+of\b[^.]{0,80}\b(?:billed\s+charges|fee\s+schedule|allowable)",
        r"\b(?:reimburs\w+|compensat\w+)\s+(?:rates?|amounts?|methodology)\b",
        r"\bCPT\b|\bHCPCS\b",
        r"\b(?:the\s+following|the)\s+rates\b[^.]{0,80}\b(?:apply|in\s+(?:Exhibit|Schedule|Attachment))",
        r"\brates?\s+(?:set\s+(?:out|forth)|shown|listed)\s+in\s+(?:Exhibit|Schedule|Attachment)",
    ],
    "fee_schedule_updates": [
        r"\b(?:modify|amend|change|update|revise)\w*\b[^.]{0,80}\b(?:fee\s+schedules?|reimbursement|rates|policies|provider\s+manual)\b[^.]{0,160}\bnotice",
        r"\b(?:modify|amend|change|update|revise)\w*\s+(?:the\s+)?(?:Exhibit|Schedule|Appendix|Attachment)\s+[A-Z0-9][\w.-]*\b[^.]{0,120}\bnotice",
        r"\b(?:fee\s+schedule|rates?|prices?)\b[^.]{0,80}\b(?:shall|will|may)\s+(?:be\s+)?(?:increase|adjust|update)d?\b",
        r"\bescalat(?:or|ion)\b|\bcost[\s-]of[\s-]living\b|\bconsumer\s+price\s+index\b|\bCPI\b",
        r"\bunilateral(?:ly)?\s+amend",
    ],
    "prior_authorization": [
        r"\bprior\s+(?:authori[sz]ation|approval|certification)\b[^.]{0,200}\b(?:service|procedure|admission|treatment|member)",
        r"\bpre-?(?:authori[sz]ation|certification)\b",
        r"\butilization\s+(?:management|review)\b",
    ],
    "claims_submission": [
        r"\b(?:submit|file)\w*\s+(?:all\s+)?(?:clean\s+)?claims?\b",
        r"\bclaims?\s+(?:shall|must|will)\s+be\s+submitted\b",
        r"\bCMS[\s-]?1500\b|\bUB[\s-]?04\b|\b837[PI]?\b|\belectronic\s+claims?\b",
    ],
    "appeals": [
        r"\bappeals?\b[^.]{0,160}\b(?:claim|payment|denial|determination|decision|adverse)",
        r"\b(?:claim|payment|denial|determination|decision)\w*\b[^.]{0,160}\bappeal",
        r"\breconsideration\b|\brequest\s+for\s+review\b",
        r"\brequest\w*\s+(?:a\s+)?review\s+of\s+(?:a\s+|the\s+)?(?:claim|payment|denial|determination)",
        r"\breconsider\s+the\s+(?:payment|denial|claim|determination)",
    ],
    "dispute_resolution": [
        r"\barbitrat\w+\b",
        r"\bmediat(?:ion|or|e)\b",
        r"\bdispute\s+resolution\b",
        r"\b(?:any|all)\s+(?:disputes?|controvers(?:y|ies)|claims?)\s+(?:arising|relating|in\s+connection)",
        r"\bexclusive\s+jurisdiction\b|\bsubmit\s+to\s+the\s+jurisdiction\b",
    ],
    "confidentiality": [
        r"\bconfidential\s+information\b",
        r"\b(?:keep|hold|maintain|treat)\b[^.]{0,80}\b(?:confidential|in\s+confidence)\b",
        r"\bconfidentiality\b",
        r"\bnon-?disclosure\b",
        r"\bshall\s+not\s+disclose\b",
    ],
    "assignment": [
        r"\b(?:may|shall)\s+not\s+(?:\w+\s+){0,3}assign\w*\b",
        r"\bassign\w*\b[^.]{0,160}\bwithout\s+(?:the\s+)?[^.]{0,40}?(?:prior[,\s]+)?(?:express\s+)?written\s+(?:consent|approval)",
        r"\bno\s+assignment\b|\bnon-?assignable\b|\bnot\s+(?:be\s+)?assignable\b",
        r"\bassignment\s+(?:of\s+this\s+agreement|in\s+violation)\b",
        r"\b(?:neither|no)\s+party\b[^.]{0,40}\b(?:may|shall|will)\s+(?:\w+\s+){0,2}assign",
    ],
    "governing_law": [
        r"\bgoverned\s+by\b[^.]{0,80}\blaws?\b",
        r"\bgoverning\s+law\b|\bchoice\s+of\s+law\b",
        r"\bconstrued\s+(?:and\s+\w+\s+)?in\s+accordance\s+with\s+the\s+laws?\b",
        r"\b(?:governed|construed|interpreted)\b[^.]{0,120}\blaws?\s+of\b",
    ],
    "audit_rights": [
        r"\baudit\w*\b[^.]{0,160}\b(?:books|records|accounts)\b",
        r"\b(?:books|records|accounts)\b[^.]{0,160}\baudit",
        r"\b(?:inspect|examine)\w*\b[^.]{0,120}\b(?:books|records)\b",
        r"\bright\s+to\s+audit\b",
    ],
}

HEADING: dict[str, str] = {
    "term_renewal": r"\b(?:term|renewal|duration)\b",
    "termination_without_cause": r"\btermination\s+(?:without\s+cause|for\s+convenience)\b",
    "termination_for_cause": r"\btermination\s+for\s+cause\b|\bevents?\s+of\s+default\b",
    "most_favored_nation": r"\bmost[\s-]favou?red\b|\brate\s+parity\b|\bparity\b",
    "hold_harmless": r"\bhold\s+harmless\b",
    "timely_filing": r"\btimely\s+filing\b|\bfiling\s+(?:limit|deadline)",
    "prompt_pay": r"\bprompt\s+pay|\bclean\s+claim|\bpayment\s+of\s+claims\b",
    "fee_schedule": r"\bfee\s+schedule|\bcompensation\b|\breimbursement\b",
    "fee_schedule_updates": (
        r"\b(?:rate|fee\s+schedule)\s+(?:updates?|changes?|adjustments?)\b"
        r"|\bamendments?\s+by\s+payer\b|\bchanges?\s+to\s+(?:the\s+)?(?:fee\s+schedules?|rates|compensation)"
        r"|\bmodification\s+of\s+(?:the\s+)?(?:rates|fees?|fee\s+schedules?|compensation)\b"
        r"|\bschedule\s+changes?\b"
    ),
    "prior_authorization": r"\bprior\s+authori[sz]ation\b|\butilization\s+management\b",
    "claims_submission": r"\bclaims?\s+submission\b|\bsubmission\s+of\s+claims\b|\bbilling\b",
    "appeals": r"\bappeals?\b|\breconsideration\b|\breview\s+of\s+claim|\bpayment\s+disputes?\b",
    "dispute_resolution": r"\bdispute\w*\b|\barbitration\b",
    "confidentiality": r"\bconfidential",
    "assignment": r"\bassignment\b",
    "governing_law": r"\bgoverning\s+law\b|\bapplicable\s+law\b|\bchoice\s+of\s+law\b",
    "audit_rights": r"\baudit",
}

_BODY_RX = {k: [re.compile(p, _I) for p in v] for k, v in BODY.items()}
_HEAD_RX = {k: re.compile(v, _I) for k, v in HEADING.items()}
assert set(_BODY_RX) == set(CLAUSE_TYPES), "tagger must cover every clause type"


def tag_clauses(text: str, heading: str = "") -> list[str]:
    """Clause types present in a chunk, in taxonomy order."""
    found = []
    for key in CLAUSE_TYPES:
        if heading and _HEAD_RX[key].search(heading):
            found.append(key)
        elif any(rx.search(text) for rx in _BODY_RX[key]):
            found.append(key)
    return found
