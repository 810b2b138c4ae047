"""Who may see which payers in Slack (``assistant.visibility.Visibility``, the mapping
file), and which payers a question names, so that a scoped channel never answers about a
payer it may not see."""

from __future__ import annotations

import re
from typing import Any

from assistant.scope import Scope
from assistant.visibility import Visibility

__all__ = ["Scope", "Visibility", "named_payers"]


POSSESSIVE = re.compile(r"(?<=[A-Za-z0-9])['’`]s\b", re.I)
NEAR_MISS = 80  # a looser typo match than the planner's: here it can only refuse, never answer


def named_payers(question: str, vocabulary: Any) -> list[str]:
    """Payer ids the question names: names, aliases and close typos, possessives aside
    ("blu sumit's" names Blue Summit). Used to keep a scoped channel from answering about
    a payer it may not see, so a near miss counts as naming the payer."""
    if vocabulary is None:
        return []
    from assistant.engines.entities import find_payers

    text = POSSESSIVE.sub("", question)
    found = find_payers(text, vocabulary)
    return found + [p for p in _near_misses(text, vocabulary) if p not in found]


def _near_misses(text: str, vocabulary: Any) -> list[str]:
    """Payers one of whose names (6+ characters) a run of as many words resembles."""
    from rapidfuzz import fuzz

    words = re.findall(r"[a-z0-9&/-]+", text.lower())
    out = []
    for payer in vocabulary.payers:
        for name in payer.names():
            n = name.lower().strip()
            size = len(n.split())
            if len(n) < 6 or size > len(words):
                continue
            grams = (" ".join(words[i : i + size]) for i in range(len(words) - size + 1))
            if any(fuzz.ratio(g, n) >= NEAR_MISS for g in grams):
                out.append(payer.payer_id)
                break
    return out
