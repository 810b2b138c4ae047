"""Passages a brief quotes: contract clauses and evidence from negotiation notes.

Every quote is a verbatim substring of the retrieved chunk's text (whitespace kept as in
the chunk), so a reader — and the tests — can check it against the cited document, page
and section. Chunks come from the contract-terms table when a term points at one (the
extracted term fixes the right page and section), otherwise from hybrid retrieval
filtered to the payer and clause type.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.prompts import PROMPTS_DIR

SENTENCE_RE = re.compile(
    r"(?<=[.!?;])\s+(?=[A-Z(\"“])|\n(?=\s*[-*#])|\n\n+|\n(?=(?:Subject|From|To|Cc|Date):)|"
    r"(?<=\n)(?=(?:Subject|From|To|Cc|Date):)")
MAIL_HEADER_RE = re.compile(r"^(?:Subject|From|To|Cc|Date|Hi|Hello|Dear)\b", re.I)
HEADING_RE = re.compile(r"^\s*(ARTICLE\s+\S+.*|Section\s+[\w.]+\s+[^.]{0,80}\.)\s*$", re.I)
LEADING_HEADING_RE = re.compile(r"^\s*Section\s+[\w.]+\s+[^.\n]{0,80}\.\s+")
CONTRACT_DOCS = ["contract", "amendment", "exhibit"]
NOTE_DOCS = ["note", "email"]


@dataclass
class Passage:
    """A quoted passage with the hit it came from."""

    key: str
    hit: Any
    quote: str  # verbatim substring of hit.text

    @property
    def document(self) -> str:
        """How the source is named: the file name for contract documents (their extracted
        titles can be running headers), the title for notes and e-mails."""
        if self.hit.doc_type in NOTE_DOCS and self.hit.title:
            return str(self.hit.title)
        return Path(self.hit.source_path).name or str(self.hit.title)

    @property
    def flat(self) -> str:
        """The quote with whitespace collapsed (how it is printed)."""
        return re.sub(r"\s+", " ", self.quote).strip()


@lru_cache(maxsize=4)
def _load(name: str) -> dict[str, Any]:
    data = json.loads((PROMPTS_DIR / "brief" / name).read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def clause_guidance() -> dict[str, dict[str, Any]]:
    """Per clause type: query, term keys, keywords, risk and ask (prompts/brief/clauses.json)."""
    return _load("clauses.json")


def evidence_kinds() -> dict[str, dict[str, Any]]:
    """Queries and keywords of note evidence (prompts/brief/evidence.json)."""
    return _load("evidence.json")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences / bullet items of ``text``."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in SENTENCE_RE.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    out = []
    for s, e in spans:
        piece = text[s:e]
        lead = len(piece) - len(piece.lstrip(" \t\n-*#>"))
        s += lead
        piece = text[s:e].rstrip()
        head = LEADING_HEADING_RE.match(piece)
        if head:
            s += head.end()
            piece = text[s:e].rstrip()
        if (piece and not HEADING_RE.match(piece) and not MAIL_HEADER_RE.match(piece)
                and len(piece) >= 15):
            out.append((s, s + len(piece)))
    return out


def best_sentence(text: str, keywords: list[str], need_digit: bool = False) -> str | None:
    """The sentence of ``text`` matching most keywords (first on ties), verbatim."""
    best: tuple[int, int] | None = None
    best_score = 0
    for s, e in sentences(text):
        low = re.sub(r"\s+", " ", text[s:e].lower())
        if need_digit and not re.search(r"\d", low):
            continue
        score = sum(1 for k in keywords if k in low)
        if score > best_score:
            best, best_score = (s, e), score
    return text[best[0]:best[1]] if best else None


class _CachedEmbedder:
    """An embedder whose query vectors were computed up front in one batch."""

    def __init__(self, inner: Any, cache: dict[str, list[float]]) -> None:
        self._inner, self._cache = inner, cache

    def embed_query(self, text: str) -> list[float]:
        """The precomputed vector, else the wrapped embedder's."""
        vec = self._cache.get(text)
        return vec if vec is not None else self._inner.embed_query(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def embed_queries(retriever: Any) -> dict[str, list[float]]:
    """All of a brief's retrieval queries embedded in one model call (loads the model if
    needed, so callers run it in a thread while the analytics run)."""
    inner = getattr(retriever, "embedder", None)
    if inner is None or not hasattr(inner, "embed_documents"):
        return {}
    queries = [g["query"] for g in clause_guidance().values()]
    queries += [e["query"] for e in evidence_kinds().values()]
    return dict(zip(queries, inner.embed_documents(queries), strict=True))


@contextmanager
def batched(retriever: Any, cache: dict[str, list[float]]) -> Iterator[Any]:
    """Searches inside the block use the precomputed query vectors of ``embed_queries``.

    The retriever's embedder is wrapped, not replaced: any other text still embeds as
    before, so a retriever shared with concurrent requests keeps answering correctly.
    """
    inner = getattr(retriever, "embedder", None)
    if inner is None or not cache:
        yield retriever
        return
    retriever.embedder = _CachedEmbedder(inner, cache)
    try:
        yield retriever
    finally:
        retriever.embedder = inner


def find_clauses(retriever: Any, payer_id: str, terms: list[dict[str, Any]],
                 as_of: dt.date) -> dict[str, Passage]:
    """The clause of each clause type of ``clauses.json`` in the payer's contract, if any."""
    by_term = {t["term"]: t for t in terms}
    out: dict[str, Passage] = {}
    for ctype, guide in clause_guidance().items():
        candidates: list[Any] = []
        for key in guide["terms"]:
            row = by_term.get(key)
            if row and row.get("chunk_id"):
                hit = retriever.get_chunk(row["chunk_id"])
                if hit is not None:
                    candidates.append(hit)
                break
        if not candidates:
            hits = retriever.search(guide["query"], k=4, payer_ids=[payer_id],
                                    clause_types=[ctype], doc_types=CONTRACT_DOCS, as_of=as_of)
            candidates = sorted(hits, key=lambda h: -_heading_score(h, guide["keywords"]))
        for hit in candidates:
            quote = best_sentence(hit.text, guide["keywords"])
            if quote:
                out[ctype] = Passage(ctype, hit, quote)
                break
    return out


def _heading_score(hit: Any, keywords: list[str]) -> int:
    low = f"{hit.heading} {hit.text}".lower()
    return sum(1 for k in keywords if k in low)


def find_notes(retriever: Any, payer_id: str, as_of: dt.date) -> dict[str, list[Passage]]:
    """Sentences from notes and e-mails: leverage, quality, the payer's offer, walk-away."""
    out: dict[str, list[Passage]] = {}
    seen: set[str] = set()
    for kind, spec in evidence_kinds().items():
        payers = [payer_id] if spec["scope"] == "payer" else None
        hits = retriever.search(spec["query"], k=4, payer_ids=payers, doc_types=NOTE_DOCS,
                                as_of=as_of)
        found: list[Passage] = []
        for hit in hits:
            if hit.suspicious or (hit.payer_id not in (None, payer_id)):
                continue
            for s, e in sentences(hit.text):
                sent = hit.text[s:e]
                low = re.sub(r"\s+", " ", sent.lower())
                if sent in seen or not any(k in low for k in spec["keywords"]):
                    continue
                if not re.search(r"\d", sent) and kind != "leverage":
                    continue
                seen.add(sent)
                found.append(Passage(kind, hit, sent))
        out[kind] = found[:4]
    return out
