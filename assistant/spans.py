"""Answer-span selection inside a retrieved chunk (measured by ``eval/spans.py``).

``best_span(text, start, end, query, embedder)`` splits ``text[start:end]`` (a hit's chunk in
its document's stored text) into sentences, scores every window of 1 to ``MAX_WINDOW``
consecutive sentences by the cosine of its mean sentence embedding with the question plus
``LEXICAL_WEIGHT`` times the share of the question's terms it contains (the retriever's
tokenizer), and returns the best window's character offsets in ``text``.

``rank_spans(ranges, texts, query, embedder)`` turns a retriever's ranked chunks into ranked
spans: the best window of each of the first ``RERANK_TOP`` chunks, reordered by window score
plus ``RANK_PRIOR / rank`` (the retriever's order as a prior), then the best window of each
later chunk in retriever order. On the spans benchmark (20 CUAD contracts, 211 questions;
parameters chosen on those same questions) it raises precision@1 from 0.06 (whole chunks)
to 0.19, and lowers recall at k >= 4 (see ``eval/baselines/spans.json``).

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
LEXICAL_WEIGHT = 0.6
RERANK_TOP = 8
RANK_PRIOR = 0.2
# a sentence ends at . ; ! ? followed by whitespace, or at a blank line
_BOUNDARY = re.compile(r"(?<=[.;!?])\s+(?=[\"'(\[A-Z0-9])|\n\s*\n")
# "Consider the <document> between <parties>; <question>": only the question part is scored
_NAMING = re.compile(r"^\s*consider the [^;]{0,400};\s*", re.IGNORECASE)


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence ranges ``[s, e)`` of ``text[start:end]``, stripped.

    A short piece (under ``MIN_SENTENCE`` characters) that ends a paragraph is a heading
    and is left out (it is context, never the answer); other short pieces (list labels,
    "Section 5.") join the next sentence.
    """
    out: list[tuple[int, int]] = []
    bounds = [(start + m.start(), m.group().count("\n") >= 2) for m in _BOUNDARY.finditer(text[start:end])]
    bounds.append((end, True))
    pos, pending = start, None
    for cut, paragraph_end in bounds:
        s, e = pos, cut
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        pos = cut
        if e <= s:
            continue
        s = pending if pending is not None else s
        pending = None
        if e - s >= MIN_SENTENCE:
            out.append((s, e))
        elif not paragraph_end:
            pending = s
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
    s, e, _ = _best_window(text, start, end, query, embedder, {} if cache is None else cache)
    return s, e


def _best_window(
    text: str, start: int, end: int, query: str, embedder: Any, cache: dict[str, np.ndarray]
) -> tuple[int, int, float]:
    sents = sentences(text, start, end)
    if not sents:
        return start, end, -np.inf
    q = focus_question(query)
    qvec = _vectors([q], embedder, cache)[0]
    svec = _vectors([text[s:e] for s, e in sents], embedder, cache)
    q_terms = set(tokenize(q))
    s_terms = [set(tokenize(text[s:e])) for s, e in sents]
    best, best_score = (sents[0][0], sents[0][1]), -np.inf
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
    return best[0], best[1], best_score


def rank_spans(
    ranges: list[tuple[str, int, int]],
    texts: dict[str, str],
    query: str,
    embedder: Any,
    cache: dict[str, np.ndarray] | None = None,
) -> list[tuple[str, int, int]]:
    """Ranked ``(doc_id, start, end)`` answer spans from ranked chunk ranges (same length).

    ``texts`` maps a doc_id to its stored text; a chunk whose text is unknown stays whole.
    """
    cache = {} if cache is None else cache
    scored = []
    for rank, (doc, s, e) in enumerate(ranges):
        text = texts.get(doc)
        if text is None:
            scored.append((-np.inf, (doc, s, e)))
            continue
        ws, we, score = _best_window(text, s, e, query, embedder, cache)
        scored.append((score + RANK_PRIOR / (rank + 1), (doc, ws, we)))
    head = sorted(scored[:RERANK_TOP], key=lambda x: -x[0])
    return [span for _, span in head] + [span for _, span in scored[RERANK_TOP:]]
