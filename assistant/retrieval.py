"""Hybrid contract retrieval: vector search + BM25 over the same chunks, fused by RRF.

Clause names and numbers are exact-match words ("timely filing", "90 days"), which
vectors blur and BM25 catches; semantic paraphrases are the reverse. Both rankings are
fused with reciprocal-rank fusion. The BM25 index is built once from the collection
(rank-bm25 computes the statistics; scoring runs over an inverted index so a query costs
milliseconds on tens of thousands of chunks) and rebuilt when the collection's count
changes.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from assistant.embeddings import Embedder
    from assistant.settings import Settings
    from assistant.stores.vectors import StoredChunk, VectorStore

RRF_K = 60
_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)*")
_STOP = frozenset(
    "a an and are as at be by for from has have in is it its of on or shall that the this "
    "to was were which will with what does do our we".split()
)


def tokenize(text: str) -> list[str]:
    """Lower-case word/number tokens without stop words (used for index and query)."""
    return [t for t in _TOKEN.findall(text.lower()) if t not in _STOP]


@dataclass
class Hit:
    """One retrieved chunk with everything a citation needs."""

    chunk_id: str
    text: str
    score: float
    doc_id: str
    title: str
    source_path: str
    payer_id: str | None
    payer_name: str | None
    doc_type: str
    contract_id: str | None
    effective_date: str | None
    page_start: int
    page_end: int
    section: str
    heading: str
    clause_types: list[str] = field(default_factory=list)
    char_start: int = 0
    char_end: int = 0
    suspicious: bool = False

    @classmethod
    def from_stored(cls, chunk: StoredChunk, score: float) -> Hit:
        """Build a hit from a stored chunk."""
        m = chunk.metadata
        return cls(
            chunk_id=chunk.chunk_id,
            text=chunk.text,
            score=score,
            doc_id=str(m.get("doc_id", "")),
            title=str(m.get("title", "")),
            source_path=str(m.get("source_path", "")),
            payer_id=m.get("payer_id") or None,
            payer_name=m.get("payer_name") or None,
            doc_type=str(m.get("doc_type", "")),
            contract_id=m.get("contract_id") or None,
            effective_date=m.get("effective_date") or None,
            page_start=int(m.get("page_start", 1)),
            page_end=int(m.get("page_end", 1)),
            section=str(m.get("section", "")),
            heading=str(m.get("heading", "")),
            clause_types=[c for c in str(m.get("clause_types", "")).split(",") if c],
            char_start=int(m.get("char_start", 0)),
            char_end=int(m.get("char_end", 0)),
            suspicious=bool(m.get("suspicious", False)),
        )


class _Bm25Index:
    """BM25 Okapi (rank-bm25 statistics) over an inverted index."""

    def __init__(self, chunks: list[StoredChunk]) -> None:
        from rank_bm25 import BM25Okapi

        self.chunks = chunks
        corpus = [tokenize(f"{c.metadata.get('context', '')} {c.text}") or ["_"] for c in chunks]
        self.bm25 = BM25Okapi(corpus) if corpus else None
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if self.bm25 is None:
            return
        acc: dict[str, tuple[list[int], list[int]]] = {}
        for i, freqs in enumerate(self.bm25.doc_freqs):
            for tok, tf in freqs.items():
                docs, tfs = acc.setdefault(tok, ([], []))
                docs.append(i)
                tfs.append(tf)
        self.postings = {t: (np.array(d), np.array(f, dtype=float)) for t, (d, f) in acc.items()}
        self.doc_len = np.array(self.bm25.doc_len, dtype=float)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for the query (same formula as rank-bm25)."""
        out = np.zeros(len(self.chunks))
        if self.bm25 is None:
            return out
        b, k1 = self.bm25.b, self.bm25.k1
        for tok in set(tokenize(query)):
            posting = self.postings.get(tok)
            if posting is None:
                continue
            docs, tf = posting
            norm = k1 * (1 - b + b * self.doc_len[docs] / self.bm25.avgdl)
            out[docs] += self.bm25.idf.get(tok, 0.0) * tf * (k1 + 1) / (tf + norm)
        return out


def _matches(
    meta: dict[str, Any],
    payer_ids: list[str] | None,
    clause_types: list[str] | None,
    doc_types: list[str] | None,
    as_of_ord: int | None,
) -> bool:
    if payer_ids and meta.get("payer_id") not in payer_ids:
        return False
    if doc_types and meta.get("doc_type") not in doc_types:
        return False
    if clause_types and not any(meta.get(f"ct_{c}") for c in clause_types):
        return False
    return not (as_of_ord is not None and int(meta.get("effective_ord", 0) or 0) > as_of_ord)


def build_where(
    payer_ids: list[str] | None,
    clause_types: list[str] | None,
    doc_types: list[str] | None,
    as_of_ord: int | None,
) -> dict[str, Any] | None:
    """The Chroma where-filter for the search filters."""
    parts: list[dict[str, Any]] = []
    if payer_ids:
        parts.append({"payer_id": {"$in": list(payer_ids)}})
    if doc_types:
        parts.append({"doc_type": {"$in": list(doc_types)}})
    if clause_types:
        ors = [{f"ct_{c}": True} for c in clause_types]
        parts.append(ors[0] if len(ors) == 1 else {"$or": ors})
    if as_of_ord is not None:
        parts.append({"effective_ord": {"$lte": as_of_ord}})
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}


class ContractRetriever:
    """Hybrid search over the chunk store."""

    def __init__(self, store: VectorStore, embedder: Embedder, candidates: int = 40) -> None:
        self.store = store
        self.embedder = embedder
        self.candidates = candidates
        self._bm25: _Bm25Index | None = None
        self._bm25_count = -1
        self._lock = threading.Lock()

    def _index(self) -> _Bm25Index:
        count = self.store.count()
        with self._lock:
            if self._bm25 is None or count != self._bm25_count:
                self._bm25 = _Bm25Index(list(self.store.iter_all()))
                self._bm25_count = count
            return self._bm25

    def search(
        self,
        query: str,
        k: int = 5,
        payer_ids: list[str] | None = None,
        clause_types: list[str] | None = None,
        doc_types: list[str] | None = None,
        as_of: dt.date | None = None,
    ) -> list[Hit]:
        """Top ``k`` chunks for ``query`` under the filters (best first)."""
        if not query.strip() or k <= 0:
            return []
        as_of_ord = int(as_of.strftime("%Y%m%d")) if as_of else None
        n = max(self.candidates, 4 * k)
        where = build_where(payer_ids, clause_types, doc_types, as_of_ord)
        vec_hits = self.store.query(self.embedder.embed_query(query), n, where)
        fused: dict[str, float] = {}
        chunks: dict[str, StoredChunk] = {}
        for rank, (chunk, _dist) in enumerate(vec_hits):
            fused[chunk.chunk_id] = fused.get(chunk.chunk_id, 0.0) + 1.0 / (RRF_K + rank + 1)
            chunks[chunk.chunk_id] = chunk
        index = self._index()
        scores = index.scores(query)
        order = np.argsort(-scores, kind="stable")
        rank = 0
        for i in order:
            if scores[i] <= 0 or rank >= n:
                break
            chunk = index.chunks[int(i)]
            if not _matches(chunk.metadata, payer_ids, clause_types, doc_types, as_of_ord):
                continue
            fused[chunk.chunk_id] = fused.get(chunk.chunk_id, 0.0) + 1.0 / (RRF_K + rank + 1)
            chunks.setdefault(chunk.chunk_id, chunk)
            rank += 1
        best = sorted(fused.items(), key=lambda kv: -kv[1])[:k]
        return [Hit.from_stored(chunks[cid], score) for cid, score in best]

    def get_chunk(self, chunk_id: str) -> Hit | None:
        """One chunk by id (score 0), or None."""
        got = self.store.get([chunk_id])
        return Hit.from_stored(got[0], 0.0) if got else None


def create_retriever(
    settings: Settings, embedder: Embedder | None = None, store: VectorStore | None = None
) -> ContractRetriever:
    """Build the retriever over the configured store (nothing loads until first search)."""
    from assistant.embeddings import create_embedder
    from assistant.stores.vectors import create_vector_store

    embedder = embedder or create_embedder(settings)
    store = store or create_vector_store(settings, embedder)
    return ContractRetriever(store, embedder)
