"""The Chroma vector store of contract and note chunks.

Chroma never embeds anything itself here: the collection is created with
``embedding_function=None`` and every add/query passes vectors computed by our
``Embedder`` (Chroma's default function downloads a model and fails offline).
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import ConfigError

if TYPE_CHECKING:
    from assistant.embeddings import TextEmbedder
    from assistant.settings import Settings

log = logging.getLogger(__name__)

UPSERT_BATCH = 256
GET_BATCH = 2000


def clean_metadata(meta: dict[str, Any]) -> dict[str, str | int | float | bool]:
    """Chroma metadata: scalars only, no None."""
    out: dict[str, str | int | float | bool] = {}
    for key, value in meta.items():
        if value is None:
            continue
        if isinstance(value, (str, int, float, bool)):
            out[key] = value
        else:
            out[key] = str(value)
    return out


@dataclass
class StoredChunk:
    """A chunk as read back from the store."""

    chunk_id: str
    text: str
    metadata: dict[str, Any]
    embedding: Any = None  # the stored vector, when read with ``iter_all(embeddings=True)``


class _BackendMismatch(Exception):
    def __init__(self, stored: str, wanted: str) -> None:
        super().__init__(stored, wanted)
        self.stored, self.wanted = stored, wanted


class VectorStore:
    """Small interface over one Chroma collection (swap for another store here)."""

    def __init__(
        self, collection: Any, embedder: TextEmbedder | None, stamp: Path | None = None
    ) -> None:
        self.collection = collection
        self.embedder = embedder
        self.stamp = stamp  # renewed on every write; readers compare it (see ``version``)

    def _changed(self) -> None:
        """Renew the stamp file (atomically), so searchers in any process see a change."""
        if self.stamp is None:
            return
        self.stamp.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.stamp.with_name(f".{self.stamp.name}.{os.getpid()}.{threading.get_ident()}")
        tmp.write_text(uuid.uuid4().hex, encoding="ascii")
        os.replace(tmp, self.stamp)

    def version(self) -> str:
        """Changes whenever the stored chunks change: the count, plus the stamp every write
        through this class renews (a document replaced by one with as many chunks leaves
        the count as it was). Writes by another machine to a shared Chroma server are
        seen through the count only."""
        try:
            stamp = self.stamp.read_text(encoding="ascii") if self.stamp else ""
        except OSError:
            stamp = ""
        return f"{self.count()}:{stamp}"

    # writes ---------------------------------------------------------------
    def reembed(self, embedder: TextEmbedder, model: str, batch: int = 1024) -> int:
        """Re-embed every stored chunk with ``embedder`` (its text is the stored
        ``context`` line plus the chunk, as at ingestion) and record its backend."""
        from assistant.embeddings import backend_of

        done = 0
        chunks = list(self.iter_all())
        for i in range(0, len(chunks), batch):
            part = chunks[i:i + batch]
            texts = [f"{c.metadata.get('context', '')}\n{c.text}" if c.metadata.get("context")
                     else c.text for c in part]
            vectors = embedder.embed_documents(texts)
            for j in range(0, len(part), UPSERT_BATCH):
                self.collection.update(ids=[c.chunk_id for c in part[j:j + UPSERT_BATCH]],
                                       embeddings=[list(v) for v in vectors[j:j + UPSERT_BATCH]])
            done += len(part)
        self.collection.modify(metadata={"embedding_model": model,
                                         "embedding_backend": backend_of(embedder)})
        self._changed()
        return done

    def upsert(
        self,
        ids: Sequence[str],
        documents: Sequence[str],
        embeddings: Sequence[Sequence[float]],
        metadatas: Sequence[dict[str, Any]],
    ) -> None:
        """Upsert chunks with precomputed embeddings, in batches."""
        for i in range(0, len(ids), UPSERT_BATCH):
            j = i + UPSERT_BATCH
            self.collection.upsert(
                ids=list(ids[i:j]),
                documents=list(documents[i:j]),
                embeddings=[list(e) for e in embeddings[i:j]],
                metadatas=[clean_metadata(m) for m in metadatas[i:j]],
            )
        self._changed()

    def delete_ids(self, ids: Sequence[str]) -> None:
        """Delete chunks by id (missing ids are ignored)."""
        for i in range(0, len(ids), UPSERT_BATCH):
            self.collection.delete(ids=list(ids[i : i + UPSERT_BATCH]))
        self._changed()

    def delete_doc(self, doc_id: str, keep_hash: str | None = None) -> None:
        """Delete a document's chunks, optionally keeping those of one content hash."""
        where: dict[str, Any] = {"doc_id": doc_id}
        if keep_hash is not None:
            where = {"$and": [{"doc_id": doc_id}, {"content_hash": {"$ne": keep_hash}}]}
        self.collection.delete(where=where)
        self._changed()

    def set_doc_payer(self, doc_id: str, payer_id: str, payer_name: str) -> int:
        """Set ``payer_id``/``payer_name`` on every chunk of a document (metadata only: the
        vectors stay, nothing is re-embedded); returns how many chunks changed."""
        ids = self.doc_chunk_ids(doc_id)
        for i in range(0, len(ids), UPSERT_BATCH):
            batch = ids[i : i + UPSERT_BATCH]
            self.collection.update(
                ids=batch,
                metadatas=[{"payer_id": payer_id, "payer_name": payer_name}] * len(batch),
            )
        if ids:
            self._changed()
        return len(ids)

    # reads ----------------------------------------------------------------
    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` are already stored."""
        found: set[str] = set()
        for i in range(0, len(ids), GET_BATCH):
            got = self.collection.get(ids=list(ids[i : i + GET_BATCH]), include=[])
            found.update(got["ids"])
        return found

    def doc_chunk_ids(self, doc_id: str) -> list[str]:
        """Ids of every stored chunk of a document."""
        return list(self.collection.get(where={"doc_id": doc_id}, include=[])["ids"])

    def get(self, ids: Sequence[str]) -> list[StoredChunk]:
        """Chunks by id, in the order asked (missing ids left out)."""
        got = self.collection.get(ids=list(ids), include=["documents", "metadatas"])
        by_id = {
            cid: StoredChunk(cid, doc or "", dict(meta or {}))
            for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        }
        return [by_id[c] for c in ids if c in by_id]

    def iter_all(self, embeddings: bool = False) -> Iterator[StoredChunk]:
        """Every stored chunk (paged), with its vector when ``embeddings``."""
        offset = 0
        include = ["documents", "metadatas"] + (["embeddings"] if embeddings else [])
        while True:
            got = self.collection.get(include=include, limit=GET_BATCH, offset=offset)
            if not got["ids"]:
                return
            vectors = got["embeddings"] if embeddings else [None] * len(got["ids"])
            for cid, doc, meta, vec in zip(
                got["ids"], got["documents"], got["metadatas"], vectors, strict=True
            ):
                yield StoredChunk(cid, doc or "", dict(meta or {}), vec)
            offset += len(got["ids"])

    def count(self) -> int:
        """Number of stored chunks."""
        return int(self.collection.count())

    def query(
        self, embedding: Sequence[float], k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[StoredChunk, float]]:
        """Nearest chunks to a vector with an optional metadata filter: (chunk, distance)."""
        n = self.count()
        if n == 0:
            return []
        res = self.collection.query(
            query_embeddings=[list(embedding)],
            n_results=min(k, n),
            where=where or None,
            include=["documents", "metadatas", "distances"],
        )
        return [
            (StoredChunk(cid, doc or "", dict(meta or {})), float(dist))
            for cid, doc, meta, dist in zip(
                res["ids"][0],
                res["documents"][0],
                res["metadatas"][0],
                res["distances"][0],
                strict=True,
            )
        ]


def create_vector_store(settings: Settings, embedder: TextEmbedder | None = None, *,
                        reembed: bool = False, check_backend: bool = True) -> VectorStore:
    """Open (or create) the chunk collection: embedded store, or Chroma's server if configured.

    The collection records the embedding backend its vectors came from; a store embedded
    by another backend is refused (``ConfigError``), never mixed, unless ``reembed`` (the
    caller then re-embeds every chunk with ``VectorStore.reembed``) or ``check_backend`` is
    False (callers that only read or change metadata, never vectors).
    """
    from assistant.embeddings import backend_of

    backend = backend_of(embedder) if embedder is not None else settings.embedding_backend
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        if settings.chroma_url:
            from urllib.parse import urlparse

            url = urlparse(settings.chroma_url)
            client = chromadb.HttpClient(
                host=url.hostname or "localhost",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        else:
            settings.chroma_path.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(
                path=str(settings.chroma_path), settings=chroma_settings
            )
        collection = client.get_or_create_collection(
            name=settings.chroma_collection,
            embedding_function=None,
            metadata={"hnsw:space": "cosine", "embedding_model": settings.embedding_model,
                      "embedding_backend": backend},
        )
        stored = str((collection.metadata or {}).get("embedding_backend", "torch"))
        if stored != backend and not reembed and check_backend and collection.count() > 0:
            raise _BackendMismatch(stored, backend)
        if stored != backend and check_backend and collection.count() == 0:
            collection.modify(metadata={"embedding_model": settings.embedding_model,
                                        "embedding_backend": backend})
    except _BackendMismatch as exc:
        raise ConfigError(
            f"The chunk store was embedded with the {exc.stored} backend and this run uses "
            f"{exc.wanted}; vectors of two backends are never mixed. Re-embed the store with "
            f"`parley ingest --reembed PATH`, or set PARLEY_EMBEDDING_BACKEND={exc.stored}."
        ) from None
    except Exception as exc:  # chromadb raises many connection/config error types
        log.info("chroma open failed: %r", exc)
        where = "PARLEY_CHROMA_URL" if settings.chroma_url else "PARLEY_DATA_DIR"
        raise ConfigError(f"Cannot open the vector store; check {where}") from None
    return VectorStore(collection, embedder, stamp=settings.data_dir / "chunks.version")
