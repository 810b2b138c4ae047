"""Retrieval latency over an existing Parley index, split into its parts.

Opens the data directory an earlier ``parley ingest`` (or ``bench/bench_ingest.py``) wrote
and times, per query: the query embedding, Chroma's vector search (with and without a
metadata filter), the BM25 scoring and the whole hybrid ``search``. Prints p50/p95 (ms).

    python bench/bench_retrieval.py --data-dir /tmp/bench510/data [--rounds 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ingest import QUERIES, pct  # noqa: E402

FILTERS = {
    "unfiltered": {},
    "clause-type filter": {"clause_types": ["governing_law", "assignment"]},
    "doc-type + as-of filter": {"doc_types": ["contract"], "as_of": dt.date(2015, 1, 1)},
}


def main(argv: list[str] | None = None) -> int:
    """Time each part of a search and print the figures."""
    ap = argparse.ArgumentParser(description="Parley retrieval latency breakdown")
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)

    from assistant.embeddings import create_embedder
    from assistant.retrieval import build_where, create_retriever
    from assistant.settings import Settings
    from assistant.stores.vectors import create_vector_store

    settings = Settings(data_dir=args.data_dir)
    embedder = create_embedder(settings)
    embedder.embed_query("warm up")
    store = create_vector_store(settings, embedder)
    retriever = create_retriever(settings, embedder=embedder, store=store)
    t0 = time.perf_counter()
    index = retriever._index()  # noqa: SLF001 - the benchmark times the index build itself
    print(f"index: {store.count()} chunks; BM25 build {time.perf_counter() - t0:.2f} s", flush=True)
    vectors = {q: embedder.embed_query(q) for q in QUERIES}
    for label, kw in FILTERS.items():
        parts: dict[str, list[float]] = {"embed": [], "chroma": [], "bm25": [], "search": []}
        as_of = kw.get("as_of")
        where = build_where(
            None, kw.get("clause_types"), kw.get("doc_types"),
            int(as_of.strftime("%Y%m%d")) if as_of else None,
        )
        for _ in range(args.rounds):
            for q in QUERIES:
                t = time.perf_counter()
                embedder.embed_query(q)
                parts["embed"].append(time.perf_counter() - t)
                t = time.perf_counter()
                store.query(vectors[q], 40, where)
                parts["chroma"].append(time.perf_counter() - t)
                t = time.perf_counter()
                index.scores(q)
                parts["bm25"].append(time.perf_counter() - t)
                t = time.perf_counter()
                retriever.search(q, k=5, **kw)  # type: ignore[arg-type]
                parts["search"].append(time.perf_counter() - t)
        print(
            f"{label}: "
            + "; ".join(f"{k} p50 {pct(v, 0.5):.1f} / p95 {pct(v, 0.95):.1f} ms" for k, v in parts.items()),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
