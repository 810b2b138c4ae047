"""Ingestion and retrieval benchmark on the CUAD contracts.

Measures, in one process and with one loaded model:

1. ``parley ingest`` of the contracts (first run): documents/s, chunks/s, peak RSS;
2. the same chunk texts embedded by the configured embedder alone (the physical limit;
   ONNX int8 by default, ``PARLEY_EMBEDDING_BACKEND=torch`` for sentence-transformers);
3. LangChain's everyday pipeline: RecursiveCharacterTextSplitter(1000/200) + Chroma
   (via ``langchain_chroma.Chroma.from_documents`` when installed, else the same splitter
   and model into ``chromadb`` directly — the script says which);
4. re-ingest of the unchanged corpus (embeddings computed must be 0);
5. hybrid retrieval latency, query embedding included, with and without filters.

    python bench/bench_ingest.py [--limit N] [--cuad DIR] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_CUAD = Path(__file__).resolve().parents[2] / "shared" / "data" / "cuad"
QUERIES = [
    "governing law of this agreement",
    "termination for convenience on notice",
    "automatic renewal term",
    "notice period to terminate renewal",
    "most favored nation pricing",
    "assignment without consent",
    "audit rights books and records",
    "confidential information",
    "limitation of liability",
    "exclusivity",
    "non-compete obligations",
    "insurance requirements",
    "payment terms within thirty days",
    "indemnification obligations",
    "arbitration of disputes",
    "expiration date of the agreement",
    "warranty duration",
    "license grant",
    "minimum commitment",
    "change of control",
]


def say(*parts: object) -> None:
    """Print and flush (progress is visible when output goes to a file)."""
    print(*parts, flush=True)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Counting:
    """The real embedder, counting texts embedded."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        # the store records the backend; without it the wrapper would read as torch
        self.backend = getattr(inner, "backend", "torch")
        self.embedded = 0
        self.seconds = 0.0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded += len(texts)
        t0 = time.perf_counter()
        try:
            return self.inner.embed_documents(texts)  # type: ignore[attr-defined]
        finally:
            self.seconds += time.perf_counter() - t0

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)  # type: ignore[attr-defined]


def pct(values: list[float], q: float) -> float:
    """Percentile (nearest rank) in ms."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def langchain_baseline(src: Path, embedder: object, workdir: Path) -> tuple[float, int, str]:
    """RecursiveCharacterTextSplitter(1000/200) + Chroma with the same model."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    t0 = time.perf_counter()
    texts: list[str] = []
    for path in sorted(src.iterdir()):
        texts.extend(splitter.split_text(path.read_text(encoding="utf-8", errors="replace")))
    try:
        from langchain_chroma import Chroma  # noqa: F401

        how = "langchain_chroma.Chroma.from_documents"
    except ImportError:
        how = "langchain_text_splitters + chromadb directly (langchain-chroma not installed)"
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(
        path=str(workdir / "lc_chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    col = client.get_or_create_collection(
        "langchain_baseline", embedding_function=None, metadata={"hnsw:space": "cosine"}
    )
    for i in range(0, len(texts), 256):
        batch = texts[i : i + 256]
        col.add(
            ids=[str(i + j) for j in range(len(batch))],
            documents=batch,
            embeddings=embedder.embed_documents(batch),
        )  # type: ignore[attr-defined]
    return time.perf_counter() - t0, len(texts), how


def main(argv: list[str] | None = None) -> int:
    """Run every measurement and print the figures."""
    ap = argparse.ArgumentParser(description="Parley ingestion benchmark on CUAD")
    ap.add_argument("--cuad", type=Path, default=DEFAULT_CUAD)
    ap.add_argument("--limit", type=int, default=0, help="only the first N contracts")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--skip-langchain", action="store_true")
    args = ap.parse_args(argv)

    from assistant.embeddings import create_embedder
    from assistant.retrieval import create_retriever
    from assistant.settings import Settings
    from assistant.stores.vectors import create_vector_store
    from ingest.job import IngestJob

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="parley-bench-"))
    src = workdir / "src"
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    files = sorted((args.cuad / "contracts").glob("*.txt"))
    if args.limit:
        files = files[: args.limit]
    for f in files:
        shutil.copyfile(f, src / f.name)
    settings = Settings(data_dir=workdir / "data")
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    base = create_embedder(settings)
    base.embed_query("warm up")  # model load is not part of any timing
    say(
        f"corpus: {len(files)} CUAD contracts, "
        f"{sum(f.stat().st_size for f in files) / 1e6:.1f} MB; workdir {workdir}"
    )

    emb = Counting(base)
    t0 = time.perf_counter()
    summary = IngestJob(settings, embedder=emb).run([src])  # type: ignore[arg-type]
    t_ingest = time.perf_counter() - t0
    data = summary.to_dict()
    n_docs, n_chunks = data["counts"]["ingested"], data["chunks"]
    rss_ingest = peak_rss_mb()
    say(
        f"parley ingest: {t_ingest:.1f} s, {n_docs} docs ({n_docs / t_ingest:.2f} docs/s), "
        f"{n_chunks} chunks ({n_chunks / t_ingest:.1f} chunks/s), {emb.embedded} embedded, "
        f"failed {data['counts']['failed']}, peak RSS {rss_ingest:.0f} MB; "
        f"{emb.seconds:.1f} s of it in the embedding model ({100 * emb.seconds / t_ingest:.0f}%)"
    )

    store = create_vector_store(settings, base)
    embed_texts = [
        f"{c.metadata.get('context')}\n{c.text}" if c.metadata.get("context") else c.text
        for c in store.iter_all()
    ]
    t0 = time.perf_counter()
    base.embed_documents(embed_texts)
    t_bare = time.perf_counter() - t0
    say(
        f"the embedder alone ({base.backend}) on the same {len(embed_texts)} chunk texts: "
        f"{t_bare:.1f} s "
        f"({len(embed_texts) / t_bare:.1f} chunks/s); parley whole job = "
        f"{100 * t_bare / t_ingest:.0f}% of bare throughput (target >= 85%)"
    )

    if not args.skip_langchain:
        t_lc, n_lc, how = langchain_baseline(src, base, workdir)
        say(
            f"langchain baseline ({how}): {t_lc:.1f} s, {n_lc} chunks "
            f"({n_lc / t_lc:.1f} chunks/s, {len(files) / t_lc:.2f} docs/s); "
            f"parley is {t_lc / t_ingest:.2f}x its speed per corpus"
        )

    emb2 = Counting(base)
    t0 = time.perf_counter()
    again = IngestJob(settings, embedder=emb2).run([src])  # type: ignore[arg-type]
    t_re = time.perf_counter() - t0
    say(
        f"re-ingest unchanged: {t_re:.2f} s, {again.count('unchanged')} unchanged, "
        f"{emb2.embedded} embedded, {t_ingest / t_re:.0f}x faster than first run (target >= 20x)"
    )

    retriever = create_retriever(settings, embedder=base, store=store)  # type: ignore[arg-type]
    t0 = time.perf_counter()
    retriever.search("warm up the BM25 index", k=5)
    say(
        f"retriever first query (builds BM25 over {store.count()} chunks): "
        f"{time.perf_counter() - t0:.2f} s"
    )
    for label, kwargs in (
        ("unfiltered", {}),
        ("clause-type filter", {"clause_types": ["governing_law", "assignment"]}),
        (
            "doc-type + as-of filter",
            {"doc_types": ["contract"], "as_of": __import__("datetime").date(2015, 1, 1)},
        ),
    ):
        lat = []
        for _ in range(3):
            for q in QUERIES:
                t0 = time.perf_counter()
                retriever.search(q, k=5, **kwargs)  # type: ignore[arg-type]
                lat.append(time.perf_counter() - t0)
        say(
            f"retrieval {label}: p50 {pct(lat, 0.5):.1f} ms, p95 {pct(lat, 0.95):.1f} ms "
            f"over {len(lat)} queries"
        )
    say(f"peak RSS whole run: {peak_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
