"""Answer spans: the sentence window inside retrieved chunks that answers the question.

A chunk is a whole section (up to ~1,200 characters); a negotiator needs the sentence that
decides the question. ``sentences`` splits a chunk into sentences (a bare heading is left
out: it is context, never the answer); every window of 1 to ``MAX_WINDOW`` consecutive
sentences is scored by

    cos(mean sentence vector, question vector) + LEXICAL_WEIGHT * share of question terms
    - WINDOW_PENALTY * (extra sentences) + RANK_PRIOR * (1 - chunk rank / chunks)

where the question is the part after a "Consider the <document>;" naming part, the
vectors are the retriever's embedding model, the terms are the retriever's tokens and the
chunk rank is the retriever's order (its prior). ``SpanSelector.rank`` ranks windows across
all the given hits, without overlaps; each becomes a ``Hit`` whose ``span_start``/``span_end``
are document offsets (the hit's ``quote`` is then the span, verbatim from the stored text).

Settings were chosen on the spans benchmark's dev half only (``eval/spans.py``, contracts
split by hash) and checked on the held-out half; figures in ``eval/baselines/spans.json``.

Sentence vectors are computed at question time (one model call per sentence, cached per
process by sentence text), so the tools narrow only their few hits; the benchmark narrows
the top 64.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.local_index import tokenize
from assistant.retrieval import focus_question

if TYPE_CHECKING:
    from assistant.retrieval import Hit

MAX_WINDOW = 3
MIN_SENTENCE = 25  # shorter pieces (headings, list labels) join the next sentence
HEADING_MAX = 100  # a heading-like piece (no lower-case word) up to this long is left out
LEXICAL_WEIGHT = 0.6
WINDOW_PENALTY = 0.02  # a longer window must earn its length
RANK_PRIOR = 0.2
SPAN_RESULTS = 4  # ranked spans before the remaining chunks follow whole (benchmark path)
SENTENCE_CACHE = 20_000  # sentence vectors kept per process (~31 MB)
_OPERATIVE = re.compile(r"\b(shall|may|must|will|agrees?|is|are|be|renews?|terminate)\b", re.I)
_LOWER_WORD = re.compile(r"(?<![A-Za-z-])[a-z][a-z]{3,}")
# a sentence ends at . ; ! ? followed by whitespace, or at a blank line
_BOUNDARY = re.compile(r"(?<=[.;!?])\s+(?=[\"'(\[A-Z0-9])|\n\s*\n")

__all__ = ["SpanSelector", "best_span", "focus_question", "search_spans", "sentences", "span_fields",
           "term_fields", "term_span"]


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence ranges ``[s, e)`` of ``text[start:end]``, stripped.

    A short piece (under ``MIN_SENTENCE`` characters) that ends a paragraph is a heading
    and is left out (it is context, never the answer); other short pieces (list labels,
    "Section 5.") join the next sentence. A heading-like piece (``_heading_like``) is left
    out too, also when it runs into its first sentence.
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
        if pending is None and _heading_like(text[s:e]):
            continue  # a run-in heading ("5.3 Most Favored Nation. The Supplier shall ...")
        s = pending if pending is not None else s
        pending = None
        if e - s >= MIN_SENTENCE:
            out.append((s, e))
        elif not paragraph_end:
            pending = s
    return out


def _heading_like(piece: str) -> bool:
    """A short piece of at most ten words, none of them a lower-case word of four letters or
    more nor a verb like SHALL ("§ 4.5 Most-Favored-Nation Pricing.", "ARTICLE 7 TERM"): a
    heading, never the answer (an all-capitals sentence "IN NO EVENT SHALL ..." is not)."""
    return (len(piece) <= HEADING_MAX and len(piece.split()) <= 10
            and not _LOWER_WORD.search(piece) and not _OPERATIVE.search(piece))


class SpanSelector:
    """Scores sentence windows with the retriever's embedding model (thread-safe cache)."""

    def __init__(self, embedder: Any, cache_size: int = SENTENCE_CACHE) -> None:
        self.embedder = embedder
        self.cache_size = cache_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def vectors(self, texts: list[str]) -> np.ndarray:
        """Unit vectors of ``texts`` (each distinct text embedded once per process)."""
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        fresh = self.embedder.embed_documents(missing) if missing else []
        with self._lock:
            for t, v in zip(missing, fresh, strict=True):
                vec = np.asarray(v, dtype=np.float32)
                self._cache[t] = vec / (np.linalg.norm(vec) + 1e-12)
            out = np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, 1))
            for t in texts:
                self._cache.move_to_end(t)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return out

    def windows(
        self, text: str, start: int, end: int, query: str
    ) -> list[tuple[float, int, int]]:
        """``(score, s, e)`` of every window of ``text[start:end]`` (offsets in ``text``),
        without the rank prior; empty when the range has no sentence (a table)."""
        sents = sentences(text, start, end)
        if not sents:
            return []
        q = focus_question(query)
        q_terms = set(tokenize(q))
        vecs = self.vectors([q] + [text[s:e] for s, e in sents])
        qvec, svec = vecs[0], vecs[1:]
        terms = [set(tokenize(text[s:e])) for s, e in sents]
        out = []
        for i in range(len(sents)):
            for w in range(1, MAX_WINDOW + 1):
                j = i + w
                if j > len(sents):
                    break
                mean = svec[i:j].mean(axis=0)
                cos = float(mean @ qvec) / (float(np.linalg.norm(mean)) + 1e-12)
                lex = len(q_terms & set().union(*terms[i:j])) / len(q_terms) if q_terms else 0.0
                score = cos + LEXICAL_WEIGHT * lex - WINDOW_PENALTY * (w - 1)
                out.append((score, sents[i][0], sents[j - 1][1]))
        return out

    def rank(
        self, hits: list[Hit], query: str, *, one_per_chunk: bool = False,
        spans: int = SPAN_RESULTS,
    ) -> list[Hit]:
        """Hits narrowed to their answering spans, best first.

        Windows of all ``hits`` are ranked together (the hits' order is a prior) and taken
        greedily without overlap, up to ``spans``; each is a copy of its hit with the span
        set. With ``one_per_chunk`` a chunk gives at most one span and every hit is returned
        once (a hit without a sentence, e.g. a table, keeps its whole text, after the
        spans). Otherwise the hits then follow whole, in the retriever's order, so the
        list's first ``spans`` items are spans and the sections stay available to read.
        """
        n = len(hits)
        scored: list[tuple[float, int, int, int]] = []  # score, hit index, start, end
        for r, h in enumerate(hits):
            prior = RANK_PRIOR * (1 - r / n)
            local = [(score + prior, r, h.char_start + s, h.char_start + e)
                     for score, s, e in self.windows(h.text, 0, len(h.text), query)]
            if one_per_chunk and local:
                local = [max(local)]
            scored.extend(local)
        scored.sort(key=lambda x: (-x[0], x[1], x[2]))
        out: list[Hit] = []
        taken: dict[str, list[tuple[int, int]]] = {}
        for _score, r, s, e in scored:
            if len(out) >= spans:
                break
            h = hits[r]
            ranges = taken.setdefault(h.doc_id, [])
            if any(s < e2 and s2 < e for s2, e2 in ranges):
                continue
            ranges.append((s, e))
            out.append(dataclasses.replace(h, span_start=s, span_end=e))
        if one_per_chunk:
            done = {h.chunk_id for h in out}
            return out + [h for h in hits if h.chunk_id not in done]
        return out + list(hits)


def selector_for(retriever: Any) -> SpanSelector | None:
    """The retriever's span selector (made on first use), or None for a retriever without
    an embedding model."""
    if getattr(retriever, "span_selector", None) is None:
        embedder = getattr(retriever, "embedder", None)
        if embedder is None:
            return None
        retriever.span_selector = SpanSelector(embedder)
    selector: SpanSelector = retriever.span_selector
    return selector


def search_spans(retriever: Any, query: str, k: int = 5, *, one_per_chunk: bool = True,
                 **filters: Any) -> list[Hit]:
    """``retriever.search(query, k, **filters)``, each hit narrowed to the window that
    answers and re-ordered by that window's score (``SpanSelector.rank``): ``hit.quote`` is
    the span, ``hit.text`` the whole section. ``one_per_chunk=False`` ranks several windows
    of a chunk, then the chunks whole (the spans benchmark)."""
    hits: list[Hit] = retriever.search(query, k, **filters)
    selector = selector_for(retriever)
    if selector is None or not hits:
        return hits
    return selector.rank(hits, query, one_per_chunk=one_per_chunk)[:k]


def best_span(text: str, start: int, end: int, query: str, selector: SpanSelector) -> tuple[int, int]:
    """Offsets in ``text`` of the best window of ``text[start:end]`` (``(start, end)``
    unchanged when the range has no sentence)."""
    found = selector.windows(text, start, end, query)
    if not found:
        return start, end
    _, s, e = max(found, key=lambda x: x[0])
    return s, e


def term_span(hit: Hit, quote: str | None) -> tuple[int, int]:
    """Document offsets of the sentence that states an extracted term, inside its chunk.

    The stored quote when it is an operative sentence of the chunk (found whitespace
    aside); a quote that is only a heading ("5.3 Most Favored Nation.") or missing gives
    the chunk's first operative sentence at or after it, else the chunk's first sentence.
    """
    text = hit.text
    sents = sentences(text, 0, len(text))
    at = 0
    words = (quote or "").split()
    if words:
        m = re.search(r"\s+".join(re.escape(w) for w in words), text)
        if m:
            if len(m.group()) > 40 and _OPERATIVE.search(m.group()):
                return hit.char_start + m.start(), hit.char_start + m.end()
            at = m.start()
    pick = next((x for x in sents if x[1] > at and _OPERATIVE.search(text[x[0]:x[1]])), None)
    pick = pick or (sents[0] if sents else (0, len(text)))
    return hit.char_start + pick[0], hit.char_start + pick[1]


def span_fields(hit: Hit) -> dict[str, Any]:
    """What a tool citation carries about its span: the quote and its document offsets,
    and the section's offsets (the section text stays under ``text``)."""
    s, e = hit.quote_range
    return {"quote": hit.quote, "char_start": s, "char_end": e,
            "section_start": hit.char_start, "section_end": hit.char_end}


def term_fields(hit: Hit, quote: str | None) -> dict[str, Any]:
    """``span_fields`` for an extracted term's citation: the span is ``term_span``."""
    s, e = term_span(hit, quote)
    return span_fields(dataclasses.replace(hit, span_start=s, span_end=e))
