"""Hybrid contract retrieval: vector search + BM25 over the same chunks, fused by RRF.

Clause names and numbers are exact-match words ("timely filing", "90 days"), which
vectors blur and BM25 catches; semantic paraphrases are the reverse. Both rankings are
fused with reciprocal-rank fusion. The local index is built once from the collection
(rank-bm25 computes the statistics; scoring runs over an inverted index so a query costs
milliseconds on tens of thousands of chunks) and rebuilt when the store's ``version``
changes (its count, or the stamp every write renews). It also keeps the chunk vectors
and metadata as arrays: a filtered search (payer, clause type, document type, as-of date)
scores the vectors that pass the filter in-process,
because Chroma's filtered path costs ~10x its unfiltered one at 35k chunks; unfiltered
searches do too up to LOCAL_DENSE_MAX chunks, and use Chroma's index beyond.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.local_index import ALL, LocalIndex

if TYPE_CHECKING:
    from assistant.embeddings import TextEmbedder
    from assistant.settings import Settings
    from assistant.stores.vectors import StoredChunk, VectorStore

RRF_K = 60
# "Consider the <document> between <parties>; <question>" (the naming part ends at ";")
_NAMING = re.compile(r"^\s*consider the [^;]{0,1000};\s*", re.IGNORECASE)
# Up to this many chunks, unfiltered searches also score every vector in-process (exact, a
# few ms at 35k chunks); beyond it Chroma's approximate index answers them.
LOCAL_DENSE_MAX = 200_000


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
    # the answering span (``assistant.spans``): document offsets inside [char_start, char_end);
    # equal (0, 0) until a span is chosen, when the whole chunk stands for it
    span_start: int = 0
    span_end: int = 0

    @property
    def has_span(self) -> bool:
        """Whether a span inside the chunk was chosen."""
        return self.char_start <= self.span_start < self.span_end <= self.char_end

    @property
    def quote(self) -> str:
        """The answering span's text (verbatim from the stored text), else the whole chunk."""
        if self.has_span:
            return self.text[self.span_start - self.char_start : self.span_end - self.char_start]
        return self.text

    @property
    def quote_range(self) -> tuple[int, int]:
        """Document offsets of ``quote``."""
        return (self.span_start, self.span_end) if self.has_span else (self.char_start, self.char_end)

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


def focus_question(query: str) -> str:
    """The question without a leading "Consider the <document>;" naming part."""
    return _NAMING.sub("", query) or query


def names_document(query: str) -> bool:
    """Whether the question opens by naming its document ("Consider the <title> between
    <parties>; <question>")."""
    return bool(_NAMING.match(query))


def build_where(
    payer_ids: list[str] | None,
    clause_types: list[str] | None,
    doc_types: list[str] | None,
    as_of_ord: int | None,
    doc_ids: list[str] | None = None,
) -> dict[str, Any] | None:
    """The Chroma where-filter for the search filters."""
    parts: list[dict[str, Any]] = []
    if doc_ids:
        parts.append({"doc_id": {"$in": list(doc_ids)}})
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

    def __init__(self, store: VectorStore, embedder: TextEmbedder, candidates: int = 40,
                 index_dir: Path | None = None) -> None:
        self.store = store
        self.embedder = embedder
        self.candidates = candidates
        self.index_dir = index_dir  # where the local index is saved between processes
        self._bm25: LocalIndex | None = None
        self._bm25_version = ""
        self._lock = threading.Lock()
        self.span_selector: Any = None  # assistant.spans.SpanSelector, made on first use

    def _index(self) -> LocalIndex:
        version = self.store.version()
        with self._lock:
            if self._bm25 is None or version != self._bm25_version:
                self._bm25 = self._load_or_build(version)
                self._bm25_version = version
            return self._bm25

    def _load_or_build(self, version: str) -> LocalIndex:
        """The saved index when it was saved at this store version, else a new one (saved
        for the next process)."""
        from assistant import index_cache

        if self.index_dir is not None:
            loaded = index_cache.load_index(self.index_dir, version)
            if loaded is not None:
                return loaded
        index = LocalIndex(list(self.store.iter_all(embeddings=True)))
        if self.index_dir is not None and version == self.store.version():
            index_cache.save_index(index, self.index_dir, version)
        return index

    def warm(self) -> int:
        """Build the local index now (servers call this at start-up and after an ingest, so
        no question pays for it: ~11 s at 35k chunks); returns the chunks indexed."""
        return len(self._index().chunks)

    def search(
        self,
        query: str,
        k: int = 5,
        payer_ids: list[str] | None = None,
        clause_types: list[str] | None = None,
        doc_types: list[str] | None = None,
        as_of: dt.date | None = None,
        doc_ids: list[str] | None = None,
    ) -> list[Hit]:
        """Top ``k`` chunks for ``query`` under the filters (best first).

        A question that names its document ("Consider the Supply Agreement between A and B;
        …") is answered from that document alone (``LocalIndex.named_document``), unless
        ``doc_ids`` already says which, and ranked by the question without the naming part.
        """
        if not query.strip() or k <= 0:
            return []
        as_of_ord = int(as_of.strftime("%Y%m%d")) if as_of else None
        n = max(self.candidates, 4 * k)
        index = self._index()
        filters = (payer_ids, clause_types, doc_types, as_of_ord)
        if not doc_ids and (naming := _NAMING.match(query)):
            visible = index.mask(payer_ids, None, None, as_of_ord) if payer_ids or as_of_ord else None
            named = index.named_document(naming.group(), visible)
            if named:  # the naming part has done its work: rank by the question alone
                doc_ids, query = [named], focus_question(query)
        vector = self.embedder.embed_query(query)
        fused = self._fused(query, vector, index, n, filters, doc_ids)
        return [Hit.from_stored(chunk, score) for chunk, score in fused[:k]]

    def _fused(
        self,
        query: str,
        vector: list[float],
        index: LocalIndex,
        n: int,
        filters: tuple[list[str] | None, list[str] | None, list[str] | None, int | None],
        doc_ids: list[str] | None,
    ) -> list[tuple[StoredChunk, float]]:
        """Up to ``n`` chunks ranked by the RRF of their vector and BM25 ranks."""
        payer_ids, clause_types, doc_types, as_of_ord = filters
        where = build_where(payer_ids, clause_types, doc_types, as_of_ord, doc_ids)
        keep = index.mask(payer_ids, clause_types, doc_types, as_of_ord, doc_ids) if where else None
        if index.vectors is not None and (keep is not None or len(index.chunks) <= LOCAL_DENSE_MAX):
            # exact scores in-process: Chroma's filtered path is ~10x its unfiltered one
            vec_hits = index.nearest(vector, n, keep if keep is not None else ALL)
        else:
            vec_hits = self.store.query(vector, n, where)
        fused: dict[str, float] = {}
        chunks: dict[str, StoredChunk] = {}
        for rank, (chunk, _dist) in enumerate(vec_hits):
            fused[chunk.chunk_id] = fused.get(chunk.chunk_id, 0.0) + 1.0 / (RRF_K + rank + 1)
            chunks[chunk.chunk_id] = chunk
        scores = index.scores(query)
        if keep is not None:
            scores = np.where(keep, scores, 0.0)
        order = np.argsort(-scores, kind="stable")
        rank = 0
        for i in order:
            if scores[i] <= 0 or rank >= n:
                break
            chunk = index.chunks[int(i)]
            fused[chunk.chunk_id] = fused.get(chunk.chunk_id, 0.0) + 1.0 / (RRF_K + rank + 1)
            chunks.setdefault(chunk.chunk_id, chunk)
            rank += 1
        best = sorted(fused.items(), key=lambda kv: -kv[1])[:n]
        return [(chunks[cid], score) for cid, score in best]

    def get_chunk(self, chunk_id: str) -> Hit | None:
        """One chunk by id (score 0), or None."""
        got = self.store.get([chunk_id])
        return Hit.from_stored(got[0], 0.0) if got else None


def create_retriever(
    settings: Settings, embedder: TextEmbedder | None = None, store: VectorStore | None = None
) -> ContractRetriever:
    """Build the retriever over the configured store (nothing loads until first search)."""
    from assistant.embeddings import create_embedder
    from assistant.stores.vectors import create_vector_store

    embedder = embedder or create_embedder(settings)
    store = store or create_vector_store(settings, embedder)
    return ContractRetriever(store, embedder, index_dir=settings.data_dir / "index")
