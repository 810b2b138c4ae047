"""Answer-span selection inside a retrieved chunk (measured by ``eval/spans.py``).

``best_span(text, start, end, query, embedder)`` splits ``text[start:end]`` (a hit's chunk in
its document's stored text) into sentences, scores every window of 1 to ``MAX_WINDOW``
consecutive sentences by the cosine of its mean sentence embedding with the question plus
the share of the question's terms it contains (the retriever's tokenizer), and returns
the best window's character offsets in ``text``.

Not yet wired into answers, citations or ``Hit``: only the spans benchmark uses it, until
the sample and CUAD suites are shown unaffected.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from assistant.retrieval import tokenize

MAX_WINDOW = 3
MIN_SENTENCE = 25  # shorter pieces (headings, list labels) join the next sentence
LEXICAL_WEIGHT = 0.3
# a sentence ends at . ; ! ? followed by whitespace, or at a blank line
_BOUNDARY = re.compile(r"(?<=[.;!?])\s+(?=[\"'(\[A-Z0-9])|\n\s*\n")
# "Consider the <document> between <parties>; <question>": only the question part is scored
_NAMING = re.compile(r"^\s*consider the [^;]{0,400};\s*", re.IGNORECASE)


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence ranges ``[s, e)`` of ``text[start:end]``, stripped, short pieces merged on."""
    out: list[tuple[int, int]] = []
    pos = start
    piece = text[start:end]
    cuts = [start + m.start() for m in _BOUNDARY.finditer(piece)] + [end]
    pending: int | None = None
    for cut in cuts:
        s, e = pos, cut
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            s = pending if pending is not None else s
            if e - s < MIN_SENTENCE and cut != end:
                pending = s
            else:
                out.append((s, e))
                pending = None
        pos = cut
    if pending is not None:
        out.append((pending, end))
    return out


def _vectors(texts: list[str], embedder: Any, cache: dict[str, np.ndarray]) -> np.ndarray:
    missing = [t for t in dict.fromkeys(texts) if t not in cache]
    if missing:
        for t, v in zip(missing, embedder.embed_documents(missing), strict=True):
            vec = np.asarray(v, dtype=np.float32)
            cache[t] = vec / (np.linalg.norm(vec) + 1e-12)
    return np.stack([cache[t] for t in texts])


def focus_question(query: str) -> str:
    """The question without a leading "Consider the <document>;" naming part."""
    return _NAMING.sub("", query) or query


def best_span(
    text: str,
    start: int,
    end: int,
    query: str,
    embedder: Any,
    cache: dict[str, np.ndarray] | None = None,
) -> tuple[int, int]:
    """Offsets in ``text`` of the sentence window of ``text[start:end]`` that best answers.

    ``cache`` (text → unit vector) may be shared across calls to embed each sentence once.
    Returns ``(start, end)`` unchanged when the chunk has no sentence.
    """
    cache = {} if cache is None else cache
    sents = sentences(text, start, end)
    if not sents:
        return start, end
    if len(sents) == 1:
        return sents[0]
    q = focus_question(query)
    qvec = _vectors([q], embedder, cache)[0]
    svec = _vectors([text[s:e] for s, e in sents], embedder, cache)
    q_terms = set(tokenize(q))
    s_terms = [set(tokenize(text[s:e])) for s, e in sents]
    best, best_score = sents[0], -np.inf
    for i in range(len(sents)):
        for w in range(1, MAX_WINDOW + 1):
            j = i + w
            if j > len(sents):
                break
            mean = svec[i:j].mean(axis=0)
            cos = float(mean @ qvec) / (float(np.linalg.norm(mean)) + 1e-12)
            terms = set().union(*s_terms[i:j])
            lex = len(q_terms & terms) / len(q_terms) if q_terms else 0.0
            # a longer window must earn its length: small penalty per extra sentence
            score = cos + LEXICAL_WEIGHT * lex - 0.02 * (w - 1)
            if score > best_score:
                best, best_score = (sents[i][0], sents[j - 1][1]), score
    return best
