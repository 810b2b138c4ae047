"""The retriever's local index saved between processes.

Building the index (BM25 postings, chunk vectors, filter arrays) reads every chunk from
Chroma and costs ~9 s at 35k chunks, which every CLI one-shot and server start paid. It is
saved under ``<data_dir>/index/`` with the chunk store's ``version()`` and loaded by the
next process when the version is unchanged (any store write renews the version, so a
stale index is never used; it is rebuilt and saved again).

Files: ``local.json`` (version, BM25 parameters, chunk ids, texts and metadata, vocabulary)
and ``local.npz`` (vectors, filter codes, postings as flat arrays). Both are written to
temporary names and renamed, the JSON last, so a reader never sees a half-written index.

``SavedIndexStore`` lets a one-shot process (``parley ask``) answer without importing or
opening Chroma (about a second): while the store is unchanged, its ``version()`` and chunk
reads come from here. The store version has two parts, the chunk count and the stamp file
every write renews; the count needs Chroma. So a process that did open Chroma records, in
``store.json``, the version it read with the stamp, the size of Chroma's SQLite file and the
embedding backend; a later process takes that version as current while the stamp and the
file size are unchanged and its embedder has the recorded backend (else Chroma is opened,
which also refuses a store of another backend as before). Anything else (a vector query
Chroma must answer, a write) opens Chroma on first use.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

import numpy as np

from assistant.local_index import LocalIndex
from assistant.stores.vectors import StoredChunk, VectorStore

if TYPE_CHECKING:
    from collections.abc import Sequence

    from assistant.settings import Settings

log = logging.getLogger(__name__)
FORMAT = 1
STORE_RECORD = "store.json"
# folders of a ``SavedIndexStore``: their last load is kept, for the retriever and the store
_shared: dict[Path, tuple[str, LocalIndex] | None] = {}


_warned: set[str] = set()


def _reason(exc: BaseException) -> str:
    """One line for a log: the OS's reason when there is one, never a traceback."""
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__


def _warn_once(message: str) -> None:
    """A warning line, once per process (the index folder is written at every version
    read; an unwritable one would repeat the same warning)."""
    if message not in _warned:
        _warned.add(message)
        log.warning("%s", message)


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def save_index(index: LocalIndex, folder: Path, version: str) -> None:
    """Write the index for ``version`` (failures are logged, never raised: the index can
    always be rebuilt)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tokens = sorted(index.postings)
        lengths = np.array([len(index.postings[t][0]) for t in tokens], dtype=np.int64)
        docs = (np.concatenate([index.postings[t][0] for t in tokens]) if tokens
                else np.zeros(0, dtype=np.int64))
        tfs = (np.concatenate([index.postings[t][1] for t in tokens]) if tokens
               else np.zeros(0))
        arrays: dict[str, Any] = {
            "payer": index.payer, "doc_type": index.doc_type, "effective": index.effective,
            "doc_len": index.doc_len, "post_len": lengths, "post_docs": docs.astype(np.int32),
            "post_tf": tfs.astype(np.float32),
            "idf": np.array([index.idf.get(t, 0.0) for t in tokens]),
        }
        clause_names = sorted(index.clause)
        if clause_names:
            arrays["clauses"] = np.vstack([index.clause[c] for c in clause_names])
        if index.vectors is not None:
            arrays["vectors"] = index.vectors
        npz = folder / "local.npz"
        with _tmp(npz).open("wb") as fh:
            np.savez(fh, **arrays)
        os.replace(_tmp(npz), npz)
        meta = {
            "format": FORMAT, "version": version, "k1": index.k1, "b": index.b,
            "avgdl": index.avgdl, "has_bm25": index.has_bm25, "tokens": tokens,
            "clauses": clause_names, "payer_codes": index.payer_codes,
            "doc_type_codes": index.doc_type_codes,
            "ids": [c.chunk_id for c in index.chunks], "texts": [c.text for c in index.chunks],
            "metas": [c.metadata for c in index.chunks],
        }
        target = folder / "local.json"
        _tmp(target).write_text(json.dumps(meta, default=str), encoding="utf-8")
        os.replace(_tmp(target), target)
    except (OSError, ValueError, TypeError) as exc:
        _warn_once(f"could not save the local index under {folder}: {_reason(exc)}")


def load_index(folder: Path, version: str) -> LocalIndex | None:
    """The saved index if it was saved at ``version``, else None (for the folder of a
    ``SavedIndexStore``, the last load is kept: its retriever and the store share it)."""
    last = _shared.get(folder)
    if last is not None and last[0] == version:
        return last[1]
    index = _read_index(folder, version)
    if index is not None and folder in _shared:
        _shared[folder] = (version, index)
    return index


def _read_index(folder: Path, version: str) -> LocalIndex | None:
    """The index saved at ``version``, or None when there is none, it was saved at another
    version, or it cannot be read or is inconsistent (a warning line; the caller rebuilds
    it and the save overwrites the damaged files)."""
    try:
        raw = (folder / "local.json").read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, UnicodeError) as exc:
        return _damaged(folder, f"local.json unreadable ({type(exc).__name__})")
    try:
        meta = json.loads(raw)
    except ValueError:
        return _damaged(folder, "local.json is not JSON")
    if not isinstance(meta, dict):
        return _damaged(folder, "local.json is not an object")
    if meta.get("format") != FORMAT or meta.get("version") != version:
        return None
    try:
        with np.load(folder / "local.npz", allow_pickle=False) as data:
            arrays = {k: np.asarray(data[k]) for k in data.files}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        return _damaged(folder, f"local.npz unreadable ({type(exc).__name__})")
    problem = _inconsistency(meta, arrays)
    return _build(meta, arrays) if problem is None else _damaged(folder, problem)


def _damaged(folder: Path, why: str) -> LocalIndex | None:
    """No index (a cache miss), after a warning line saying why."""
    log.warning("the saved local index under %s is damaged (%s); rebuilding it", folder, why)
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _strings(value: Any) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _code_table(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value.values())


def _inconsistency(meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> str | None:
    """What makes the saved index unusable (a wrong type, shape or length), or None."""
    ids, texts, metas = meta.get("ids"), meta.get("texts"), meta.get("metas")
    if not (_strings(ids) and _strings(texts) and isinstance(metas, list)
            and all(isinstance(m, dict) for m in metas)):
        return "chunk lists missing or of the wrong type"
    n = len(ids)
    if not len(texts) == len(metas) == n:
        return "chunk lists of unequal length"
    tokens, clauses = meta.get("tokens"), meta.get("clauses")
    if not (_strings(tokens) and _strings(clauses)):
        return "token or clause list of the wrong type"
    if not (_code_table(meta.get("payer_codes")) and _code_table(meta.get("doc_type_codes"))):
        return "code tables of the wrong type"
    if not (all(_is_number(meta.get(k)) for k in ("k1", "b", "avgdl"))
            and isinstance(meta.get("has_bm25"), bool)):
        return "BM25 parameters of the wrong type"
    t = len(tokens)
    wanted: dict[str, tuple[str, tuple[int, ...] | None]] = {
        "payer": ("iu", (n,)), "doc_type": ("iu", (n,)), "effective": ("iu", (n,)),
        "doc_len": ("iuf", (n,)), "post_len": ("iu", (t,)), "post_docs": ("iu", None),
        "post_tf": ("iuf", None), "idf": ("iuf", (t,))}
    if clauses:
        wanted["clauses"] = ("b", (len(clauses), n))
    for name, (kinds, shape) in wanted.items():
        a = arrays.get(name)
        if a is None or a.dtype.kind not in kinds or (shape is not None and a.shape != shape):
            return f"array {name} missing or of the wrong type or shape"
    posts = arrays["post_docs"]
    if (posts.ndim != 1 or arrays["post_tf"].shape != posts.shape
            or (t and (arrays["post_len"].min() < 0 or int(arrays["post_len"].sum()) != posts.size))
            or (posts.size and (posts.min() < 0 or posts.max() >= n))):
        return "postings inconsistent"
    vectors = arrays.get("vectors")
    if vectors is not None and (vectors.ndim != 2 or vectors.shape[0] != n
                                or vectors.dtype.kind != "f"):
        return "vectors of the wrong shape"
    return None


def _build(meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> LocalIndex:
    """The index from files ``_inconsistency`` accepted."""
    chunks = [StoredChunk(cid, text, md, None) for cid, text, md in
              zip(meta["ids"], meta["texts"], meta["metas"], strict=True)]
    index = LocalIndex(chunks, build=False)
    index.payer, index.payer_codes = arrays["payer"], dict(meta["payer_codes"])
    index.doc_type, index.doc_type_codes = arrays["doc_type"], dict(meta["doc_type_codes"])
    index.effective = arrays["effective"]
    index.clause = ({c: arrays["clauses"][i] for i, c in enumerate(meta["clauses"])}
                    if meta["clauses"] else {})
    index.vectors = arrays.get("vectors")
    index.has_bm25 = meta["has_bm25"]
    index.k1, index.b, index.avgdl = meta["k1"], meta["b"], meta["avgdl"]
    index.doc_len = arrays["doc_len"]
    tokens = meta["tokens"]
    ends = np.cumsum(arrays["post_len"])
    starts = ends - arrays["post_len"]
    docs, tfs = arrays["post_docs"], arrays["post_tf"].astype(float)
    index.postings = {t: (docs[s:e], tfs[s:e]) for t, s, e in zip(tokens, starts, ends,
                                                                   strict=True)}
    index.idf = dict(zip(tokens, arrays["idf"].tolist(), strict=True))
    return index


class SavedIndexStore(VectorStore):
    """The chunk store of one local data directory, opened only when the saved index cannot
    answer (see the module doc). Every ``VectorStore`` method works: reading ``collection``
    opens Chroma (``create_vector_store``, with its backend check) on first use."""

    def __init__(self, settings: Settings, embedder: Any) -> None:
        from assistant.embeddings import backend_of

        self.settings, self.embedder = settings, embedder
        self.stamp = settings.data_dir / "chunks.version"
        self.folder = settings.data_dir / "index"
        self.backend = backend_of(embedder)
        self._opened: VectorStore | None = None
        self._opening = threading.Lock()
        _shared.setdefault(self.folder, None)

    def __getattr__(self, name: str) -> Any:
        if name != "collection":
            raise AttributeError(name)
        return self.opened().collection

    def opened(self) -> VectorStore:
        """The real store (opened now if it was not yet)."""
        with self._opening:
            if self._opened is None:
                from assistant.stores.vectors import create_vector_store

                self._opened = create_vector_store(self.settings, self.embedder)
            return self._opened

    def version(self) -> str:
        """The recorded version while it is current, else the store's (then recorded)."""
        if self._opened is None:
            recorded = self._recorded()
            if recorded is not None:
                return recorded
        size = self._chroma_size()  # before reading the version: a write in between shows
        version = super().version()
        self._record(version, size)
        return version

    def get(self, ids: Sequence[str]) -> list[StoredChunk]:
        """Chunks by id, from the saved index while it is current."""
        recorded = self._recorded() if self._opened is None else None
        index = load_index(self.folder, recorded) if recorded is not None else None
        if index is None:
            return super().get(ids)
        by_id = {c.chunk_id: c for c in index.chunks}
        return [StoredChunk(c, by_id[c].text, dict(by_id[c].metadata)) for c in ids if c in by_id]

    def _chroma_size(self) -> int | None:
        try:
            return (self.settings.chroma_path / "chroma.sqlite3").stat().st_size
        except OSError:
            return None

    def _recorded(self) -> str | None:
        """The recorded version, if the stamp, Chroma's file size and backend still match."""
        # a shared server: other machines write to it without renewing this stamp
        if self.settings.chroma_url or self.stamp is None:
            return None
        try:
            record = json.loads((self.folder / STORE_RECORD).read_text(encoding="utf-8"))
            stamp = self.stamp.read_text(encoding="ascii")
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict):
            return None
        version, size = record.get("version"), self._chroma_size()
        current = (isinstance(version, str) and stamp != "" and version.endswith(f":{stamp}")
                   and size is not None and record.get("size") == size
                   and record.get("backend") == self.backend)
        return version if current else None

    def _record(self, version: str, size: int | None) -> None:
        if self.settings.chroma_url or size is None:
            return
        target = self.folder / STORE_RECORD
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _tmp(target).write_text(json.dumps(
                {"version": version, "size": size, "backend": self.backend}), encoding="utf-8")
            os.replace(_tmp(target), target)
        except OSError as exc:
            _warn_once(f"could not record the store version under {self.folder}: {_reason(exc)}")
