"""The embedder: real offline model, normalised vectors, one BLAS thread beside torch."""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_info

from assistant.embeddings import create_embedder
from assistant.settings import Settings


def test_model_load_leaves_blas_single_threaded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    embedder = create_embedder(Settings(data_dir=tmp_path / "data"))
    vector = np.asarray(embedder.embed_query("timely filing limit"))
    assert vector.shape == (embedder.dimension,) and abs(np.linalg.norm(vector) - 1) < 1e-5
    blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
    assert blas and all(p["num_threads"] == 1 for p in blas)
