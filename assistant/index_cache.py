"""The retriever's local index saved between processes.

Building the index (BM25 postings, chunk vectors, filter arrays) reads every chunk from
Chroma and costs ~9 s at 35k chunks, which every CLI one-shot and server start paid. It is
saved under ``<data_dir>/index/`` with the chunk store's ``version()`` and loaded by the
next process when the version is unchanged (any store write renews the version, so a
stale index is never used; it is rebuilt and saved again).

Files: ``local.json`` (version, BM25 parameters, chunk ids, texts and metadata, vocabulary)
and ``local.npz`` (vectors, filter codes, postings as flat arrays). Both are written to
temporary names and renamed, the JSON last, so a reader never sees a half-written index.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from assistant.retrieval import _LocalIndex

log = logging.getLogger(__name__)
FORMAT = 1


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def save_index(index: _LocalIndex, folder: Path, version: str) -> None:
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
    except (OSError, ValueError, TypeError):
        log.warning("could not save the local index under %s", folder, exc_info=True)


def load_index(folder: Path, version: str) -> _LocalIndex | None:
    """The saved index if it was saved at ``version``, else None."""
    from assistant.retrieval import _LocalIndex
    from assistant.stores.vectors import StoredChunk

    try:
        meta = json.loads((folder / "local.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT or meta.get("version") != version:
            return None
        with np.load(folder / "local.npz", allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (OSError, ValueError, KeyError):
        return None
    n = len(meta["ids"])
    if arrays["payer"].shape[0] != n:
        return None
    vectors = arrays.get("vectors")
    chunks = [StoredChunk(cid, text, md, None) for cid, text, md in
              zip(meta["ids"], meta["texts"], meta["metas"], strict=True)]
    index = _LocalIndex(chunks, build=False)
    index.payer, index.payer_codes = arrays["payer"], dict(meta["payer_codes"])
    index.doc_type, index.doc_type_codes = arrays["doc_type"], dict(meta["doc_type_codes"])
    index.effective = arrays["effective"]
    index.clause = ({c: arrays["clauses"][i] for i, c in enumerate(meta["clauses"])}
                    if meta["clauses"] else {})
    index.vectors = vectors
    index.has_bm25 = bool(meta["has_bm25"])
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
