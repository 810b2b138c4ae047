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

if TYPE_CHECKING:
    from assistant.embeddings import TextEmbedder
    from assistant.settings import Settings
    from assistant.stores.vectors import StoredChunk, VectorStore

RRF_K = 60
# A naming phrase picks a document when that document's best BM25 score leads the next
# document's by this factor (spans benchmark, dev half: the right document led by >= 1.07)
NAMED_MARGIN = 1.05
# "Consider the <document> between <parties>; <question>" (the naming part ends at ";")
_NAMING = re.compile(r"^\s*consider the [^;]{0,1000};\s*", re.IGNORECASE)
# Up to this many chunks, unfiltered searches also score every vector in-process (exact, a
# few ms at 35k chunks); beyond it Chroma's approximate index answers them.
LOCAL_DENSE_MAX = 200_000
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


_ALL = object()  # no filter


def _codes(values: list[str]) -> tuple[np.ndarray, dict[str, int]]:
    """Integer codes for a column of strings, and the value → code table."""
    table: dict[str, int] = {}
    codes = np.fromiter((table.setdefault(v, len(table)) for v in values), np.int32, len(values))
    return codes, table


class _LocalIndex:
    """BM25 Okapi (rank-bm25 statistics) over an inverted index, plus the chunk vectors and
    filterable metadata as arrays."""

    def __init__(self, chunks: list[StoredChunk], *, build: bool = True) -> None:
        self.chunks = chunks
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.idf: dict[str, float] = {}
        self.k1, self.b, self.avgdl = 1.5, 0.75, 1.0
        self.doc_len = np.zeros(0)
        self.has_bm25 = False
        self._doc: np.ndarray | None = None
        self._doc_codes: dict[str, int] = {}
        if not build:  # filled in by index_cache.load_index
            return
        from rank_bm25 import BM25Okapi

        corpus = [tokenize(f"{c.metadata.get('context', '')} {c.text}") or ["_"] for c in chunks]
        self._arrays(chunks)
        if not corpus:
            return
        bm25 = BM25Okapi(corpus)
        self.has_bm25 = True
        self.idf, self.k1, self.b, self.avgdl = dict(bm25.idf), bm25.k1, bm25.b, bm25.avgdl
        acc: dict[str, tuple[list[int], list[int]]] = {}
        for i, freqs in enumerate(bm25.doc_freqs):
            for tok, tf in freqs.items():
                docs, tfs = acc.setdefault(tok, ([], []))
                docs.append(i)
                tfs.append(tf)
        self.postings = {t: (np.array(d), np.array(f, dtype=float)) for t, (d, f) in acc.items()}
        self.doc_len = np.array(bm25.doc_len, dtype=float)

    def _arrays(self, chunks: list[StoredChunk]) -> None:
        meta = [c.metadata for c in chunks]
        # payer and document type as small integer codes: np.isin on ints is ~20x faster
        # than on object arrays (3.7 ms per query at 35k chunks)
        self.payer, self.payer_codes = _codes([str(m.get("payer_id") or "") for m in meta])
        self.doc_type, self.doc_type_codes = _codes([str(m.get("doc_type") or "") for m in meta])
        self.effective = np.array([int(m.get("effective_ord", 0) or 0) for m in meta], dtype=np.int64)
        self.clause: dict[str, np.ndarray] = {}
        for i, m in enumerate(meta):
            for key, value in m.items():
                if key.startswith("ct_") and value:
                    self.clause.setdefault(key[3:], np.zeros(len(meta), dtype=bool))[i] = True
        vectors = [c.embedding for c in chunks]
        self.vectors: np.ndarray | None = None
        if chunks and all(v is not None for v in vectors):
            mat = np.asarray(vectors, dtype=np.float32)
            norms = np.linalg.norm(mat, axis=1, keepdims=True)
            self.vectors = mat / np.where(norms == 0, 1, norms)

    def doc_mask(self, doc_ids: list[str]) -> np.ndarray:
        """Which chunks belong to one of ``doc_ids`` (the codes are built on first use, so
        an index loaded by ``index_cache`` needs nothing saved for them)."""
        if self._doc is None:
            self._doc, self._doc_codes = _codes([str(c.metadata.get("doc_id") or "") for c in self.chunks])
        return np.isin(self._doc, [self._doc_codes.get(d, -1) for d in doc_ids])

    def named_document(self, naming: str, keep: np.ndarray | None = None) -> str | None:
        """The document a naming phrase ("Consider the <title> between <parties>;") points
        at: the one holding the chunk with the best BM25 score for it (titles are in every
        chunk's context, parties in the preamble), when it leads the next document by
        ``NAMED_MARGIN`` (a phrase only generic words match names no document). Only
        chunks in ``keep`` (a mask) count."""
        scores = self.scores(naming)
        if keep is not None:
            scores = np.where(keep, scores, 0.0)
        if not scores.size or scores.max() <= 0:
            return None
        self.doc_mask([])  # builds the document codes
        assert self._doc is not None
        best = np.zeros(len(self._doc_codes))
        np.maximum.at(best, self._doc, scores)
        top = np.argsort(-best)[:2]
        if top.size > 1 and best[top[0]] < NAMED_MARGIN * best[top[1]]:
            return None
        names = {code: doc for doc, code in self._doc_codes.items()}
        return names[int(top[0])] or None

    def mask(
        self,
        payer_ids: list[str] | None,
        clause_types: list[str] | None,
        doc_types: list[str] | None,
        as_of_ord: int | None,
        doc_ids: list[str] | None = None,
    ) -> np.ndarray:
        """Which chunks pass the filters (same rules as Chroma's ``where``)."""
        keep = self.doc_mask(doc_ids) if doc_ids else np.ones(len(self.chunks), dtype=bool)
        if payer_ids:
            keep &= np.isin(self.payer, [self.payer_codes.get(p, -1) for p in payer_ids])
        if doc_types:
            keep &= np.isin(self.doc_type, [self.doc_type_codes.get(d, -1) for d in doc_types])
        if clause_types:
            any_type = np.zeros(len(self.chunks), dtype=bool)
            for c in clause_types:
                if c in self.clause:
                    any_type |= self.clause[c]
            keep &= any_type
        if as_of_ord is not None:
            keep &= self.effective <= as_of_ord
        return keep

    def nearest(self, vector: list[float], n: int, keep: Any) -> list[tuple[StoredChunk, float]]:
        """The ``n`` chunks among ``keep`` (a mask, or ``_ALL``) closest to ``vector``."""
        assert self.vectors is not None
        q = np.asarray(vector, dtype=np.float32)
        q = q / (np.linalg.norm(q) or 1.0)
        if keep is _ALL:  # no copy of the matrix
            idx, sims = np.arange(len(self.chunks)), self.vectors @ q
        else:
            idx = np.flatnonzero(keep)
            # gathering the kept rows copies them; past a quarter of the matrix one product
            # over all rows is cheaper
            sims = (self.vectors @ q)[idx] if 4 * idx.size > len(self.chunks) else self.vectors[idx] @ q
        if idx.size == 0:
            return []
        top = np.argpartition(-sims, min(n, sims.size) - 1)[:n] if sims.size > n else np.arange(sims.size)
        top = top[np.argsort(-sims[top], kind="stable")]
        return [(self.chunks[int(idx[t])], float(1.0 - sims[t])) for t in top]

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for the query (same formula as rank-bm25)."""
        out = np.zeros(len(self.chunks))
        if not self.has_bm25:
            return out
        b, k1 = self.b, self.k1
        for tok in set(tokenize(query)):
            posting = self.postings.get(tok)
            if posting is None:
                continue
            docs, tf = posting
            norm = k1 * (1 - b + b * self.doc_len[docs] / self.avgdl)
            out[docs] += self.idf.get(tok, 0.0) * tf * (k1 + 1) / (tf + norm)
        return out


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
        self._bm25: _LocalIndex | None = None
        self._bm25_version = ""
        self._lock = threading.Lock()
        self.span_selector: Any = None  # assistant.spans.SpanSelector, made on first use

    def _index(self) -> _LocalIndex:
        version = self.store.version()
        with self._lock:
            if self._bm25 is None or version != self._bm25_version:
                self._bm25 = self._load_or_build(version)
                self._bm25_version = version
            return self._bm25

    def _load_or_build(self, version: str) -> _LocalIndex:
        """The saved index when it was saved at this store version, else a new one (saved
        for the next process)."""
        from assistant import index_cache

        if self.index_dir is not None:
            loaded = index_cache.load_index(self.index_dir, version)
            if loaded is not None:
                return loaded
        index = _LocalIndex(list(self.store.iter_all(embeddings=True)))
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
        …") is answered from that document alone (``_LocalIndex.named_document``), unless
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
        index: _LocalIndex,
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
            vec_hits = index.nearest(vector, n, keep if keep is not None else _ALL)
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
